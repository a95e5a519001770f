import { useState } from 'react';
import { Field, Form } from '../../components/Form';
import { useApiMutation } from '../../data/hooks';
import { api, unwrap } from '../../api/client';
import type { DeviceDetail } from './types';
import { strongConfirmation } from './SendCommand';
import { DEVICES_KEY } from './queries';

/**
 * Retire a handset for good (returned, broken, replaced): its certificate is revoked and it can no longer
 * check in. Needs a reason (audited) and the handset's serial typed out.
 */
export function RetireDevice({ device }: { device: DeviceDetail }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [typed, setTyped] = useState('');
  const strong = strongConfirmation(device);
  const retire = useApiMutation({
    run: () =>
      unwrap(
        api.POST('/api/v1/devices/{id}/retire', {
          params: { path: { id: device.id } },
          body: { reason: reason.trim() },
        }),
      ),
    invalidates: [DEVICES_KEY],
    onSuccess: () => setOpen(false),
  });

  return (
    <section aria-labelledby="retire-heading" className="card cards-spaced">
      <h2 id="retire-heading">Retire this handset</h2>
      {!open ? (
        <>
          <p className="card-lead">
            A retired handset&apos;s certificate is revoked at once and it can no longer check in or sign its
            official in. The official can be given another handset with a new enrolment token.
          </p>
          <button type="button" className="button button-secondary" onClick={() => setOpen(true)}>
            Retire…
          </button>
        </>
      ) : (
        <Form
          onSubmit={() => retire.start(undefined)}
          pending={retire.pending}
          error={retire.error}
          errorTitle="The handset was not retired"
          submitLabel="Retire the handset"
          busyLabel="Retiring…"
          disabled={!reason.trim() || typed.trim() !== strong.value}
          ariaLabel="Retire the handset"
          extraActions={
            <button
              type="button"
              className="button button-secondary"
              onClick={() => setOpen(false)}
              disabled={retire.pending}
            >
              Cancel
            </button>
          }
        >
          <Field
            id="retire-reason"
            label="Reason"
            hint="Kept in the audit log, e.g. “returned, screen broken”."
          >
            <input
              id="retire-reason"
              required
              maxLength={500}
              aria-describedby="retire-reason-hint"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
          </Field>
          <Field
            id="retire-confirm"
            label={
              <>
                Type the handset&apos;s {strong.label} <code>{strong.value}</code> to confirm
              </>
            }
          >
            <input
              id="retire-confirm"
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
