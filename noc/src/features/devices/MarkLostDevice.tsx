import { useState } from 'react';
import { Field, Form } from '../../components/Form';
import { useApiMutation } from '../../data/hooks';
import { api, unwrap } from '../../api/client';
import type { DeviceDetail } from './types';
import { strongConfirmation } from './SendCommand';
import { DEVICES_KEY } from './queries';

/**
 * Declare a handset lost (stolen, gone): its certificates are revoked at once (CRL) and its SIM barred, so it
 * can no longer check in, receive commands or sign its official in. A handset that is found is enrolled again.
 * Locate or wipe it first if it may still be reached: once lost it obeys nothing. Needs the serial typed out.
 */
export function MarkLostDevice({ device }: { device: DeviceDetail }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [typed, setTyped] = useState('');
  const strong = strongConfirmation(device);
  const lost = useApiMutation({
    run: () =>
      unwrap(
        api.POST('/api/v1/devices/{id}/lost', {
          params: { path: { id: device.id } },
          body: reason.trim() ? { reason: reason.trim() } : {},
        }),
      ),
    invalidates: [DEVICES_KEY],
    onSuccess: () => setOpen(false),
  });

  return (
    <section aria-labelledby="lost-heading" className="card cards-spaced">
      <h2 id="lost-heading">Declare this handset lost</h2>
      {!open ? (
        <>
          <p className="card-lead">
            A lost handset&apos;s certificate is revoked at once and its SIM barred: it can no longer check
            in, receive commands or sign its official in. Send a locate or wipe first if it may still be
            reached. If it is found, it is enrolled again with a new enrolment token.
          </p>
          <button type="button" className="button button-secondary" onClick={() => setOpen(true)}>
            Declare lost…
          </button>
        </>
      ) : (
        <Form
          onSubmit={() => lost.start(undefined)}
          pending={lost.pending}
          error={lost.error}
          errorTitle="The handset was not declared lost"
          submitLabel="Declare the handset lost"
          busyLabel="Revoking…"
          disabled={typed.trim() !== strong.value}
          ariaLabel="Declare the handset lost"
          extraActions={
            <button
              type="button"
              className="button button-secondary"
              onClick={() => setOpen(false)}
              disabled={lost.pending}
            >
              Cancel
            </button>
          }
        >
          <Field
            id="lost-reason"
            label="Reason (optional)"
            hint="Kept in the audit log, e.g. “stolen on 3 May”."
          >
            <input
              id="lost-reason"
              maxLength={500}
              aria-describedby="lost-reason-hint"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
          </Field>
          <Field
            id="lost-confirm"
            label={
              <>
                Type the handset&apos;s {strong.label} <code>{strong.value}</code> to confirm
              </>
            }
          >
            <input
              id="lost-confirm"
              required
              autoComplete="off"
              spellCheck={false}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
            />
          </Field>
        </Form>
      )}
    </section>
  );
}
