import { useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { Field, Form } from '../../components/Form';
import { StatusPill } from '../../components/StatusPill';
import type { User } from '../../identity';
import { MAX_REASON, MIN_REASON, useUserWrite, when } from './shared';

/**
 * Disable or enable, with the reason the audit log keeps; disabling ends every session at once. The page
 * keys this card by the status, so a change closes the form and shows the other action.
 */
export function StatusCard({ user, canChange }: { user: User; canChange: boolean }) {
  const action = user.status === 'active' ? 'disable' : 'enable';
  const verb = action === 'disable' ? 'Disable' : 'Enable';
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const change = useUserWrite(
    user.id,
    (body: { reason: string }) => {
      const options = { params: { path: { id: user.id } }, body };
      return unwrap(
        action === 'disable'
          ? api.POST('/api/v1/users/{id}/disable', options)
          : api.POST('/api/v1/users/{id}/enable', options),
      );
    },
    (u) => u,
  );

  useEffect(() => {
    if (open) reasonRef.current?.focus();
  }, [open]);

  const tone = action === 'disable' ? 'button button-danger' : 'button button-primary';
  return (
    <section className="card" aria-labelledby="card-status">
      <h2 id="card-status">Status</h2>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusPill value={user.status} tone={user.status === 'active' ? 'good' : 'bad'} />
        </dd>
        {user.statusReason ? (
          <>
            <dt>{user.status === 'disabled' ? 'Disabled because' : 'Last reason'}</dt>
            <dd className="break">{user.statusReason}</dd>
          </>
        ) : null}
        <dt>Updated</dt>
        <dd>{when(user.updatedAt)}</dd>
      </dl>
      {!canChange ? null : !open ? (
        <div className="card-actions">
          <button type="button" className={tone} onClick={() => setOpen(true)} aria-expanded={false}>
            {verb}
          </button>
        </div>
      ) : (
        <Form
          className="inline-form"
          ariaLabel={`${verb} user`}
          onSubmit={() => {
            if (reason.trim().length >= MIN_REASON) change.start({ reason: reason.trim() });
          }}
          pending={change.pending}
          disabled={reason.trim().length < MIN_REASON}
          error={change.error}
          errorTitle={`Could not ${action} the user`}
          submitLabel={`Confirm ${action}`}
          busyLabel={`${verb.slice(0, -1)}ing…`}
          extraActions={
            <button
              type="button"
              className="button button-secondary"
              onClick={() => {
                setOpen(false);
                setReason('');
                change.reset();
              }}
              disabled={change.pending}
            >
              Cancel
            </button>
          }
        >
          <Field
            id="status-reason"
            label={
              <>
                Reason <span className="optional">(kept in the audit log)</span>
              </>
            }
            hint={`At least ${MIN_REASON} characters.${action === 'disable' ? ' Every session of the user ends at once.' : ''}`}
          >
            <textarea
              ref={reasonRef}
              id="status-reason"
              rows={2}
              required
              minLength={MIN_REASON}
              maxLength={MAX_REASON}
              aria-describedby="status-reason-hint"
              value={reason}
              onChange={(event) => setReason(event.target.value)}
            />
          </Field>
        </Form>
      )}
    </section>
  );
}
