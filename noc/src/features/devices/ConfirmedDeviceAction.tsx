import { useState, type ReactNode } from 'react';
import { Field, Form } from '../../components/Form';
import { useApiMutation } from '../../data/hooks';
import type { DeviceDetail } from './types';
import { strongConfirmation } from './SendCommand';
import { DEVICES_KEY } from './queries';

export type ConfirmedDeviceActionProps = {
  device: DeviceDetail;
  /** Prefix of the section's element ids (`<id>-heading`, `<id>-reason`, `<id>-confirm`). */
  id: string;
  heading: string;
  lead: ReactNode;
  openLabel: string;
  errorTitle: string;
  submitLabel: string;
  busyLabel: string;
  reason: { label: string; hint: string; required: boolean };
  /** The call, with the trimmed reason ('' when none was given). */
  run: (reason: string) => Promise<unknown>;
};

/**
 * A final action on a handset (retire, declare lost): opened on demand, with a reason for the audit log and
 * the handset's serial (or IMEI) typed out before it can be submitted.
 */
export function ConfirmedDeviceAction(p: ConfirmedDeviceActionProps) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [typed, setTyped] = useState('');
  const strong = strongConfirmation(p.device);
  const action = useApiMutation({
    run: () => p.run(reason.trim()),
    invalidates: [DEVICES_KEY],
    onSuccess: () => setOpen(false),
  });

  return (
    <section aria-labelledby={`${p.id}-heading`} className="card cards-spaced">
      <h2 id={`${p.id}-heading`}>{p.heading}</h2>
      {!open ? (
        <>
          <p className="card-lead">{p.lead}</p>
          <button type="button" className="button button-secondary" onClick={() => setOpen(true)}>
            {p.openLabel}
          </button>
        </>
      ) : (
        <Form
          onSubmit={() => action.start(undefined)}
          pending={action.pending}
          error={action.error}
          errorTitle={p.errorTitle}
          submitLabel={p.submitLabel}
          busyLabel={p.busyLabel}
          disabled={(p.reason.required && !reason.trim()) || typed.trim() !== strong.value}
          ariaLabel={p.submitLabel}
          extraActions={
            <button
              type="button"
              className="button button-secondary"
              onClick={() => setOpen(false)}
              disabled={action.pending}
            >
              Cancel
            </button>
          }
        >
          <Field id={`${p.id}-reason`} label={p.reason.label} hint={p.reason.hint}>
            <input
              id={`${p.id}-reason`}
              required={p.reason.required}
              maxLength={500}
              aria-describedby={`${p.id}-reason-hint`}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
          </Field>
          <Field
            id={`${p.id}-confirm`}
            label={
              <>
                Type the handset&apos;s {strong.label} <code>{strong.value}</code> to confirm
              </>
            }
          >
            <input
              id={`${p.id}-confirm`}
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
