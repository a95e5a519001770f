import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { usePermissions, type Operation } from '../../auth/permissions';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useApiMutation } from '../../data/hooks';
import { subscriberKeys, type Subscriber } from './queries';

const MIN_REASON = 3;
const MAX_REASON = 500;

type BarAction = 'bar' | 'unbar';
const OPERATION: Record<BarAction, Operation> = {
  bar: 'POST /api/v1/subscribers/{imsi}/bar',
  unbar: 'POST /api/v1/subscribers/{imsi}/unbar',
};

function changeBarring(imsi: string, action: BarAction, reason: string): Promise<Subscriber> {
  const options = { params: { path: { imsi } }, body: { reason } };
  return unwrap(
    action === 'bar'
      ? api.POST('/api/v1/subscribers/{imsi}/bar', options)
      : api.POST('/api/v1/subscribers/{imsi}/unbar', options),
  );
}

/** Bar or unbar: a button that opens an inline form asking for the reason, which the audit log keeps. */
export function BarringControl({ subscriber }: { subscriber: Subscriber }) {
  const action: BarAction = subscriber.status === 'barred' ? 'unbar' : 'bar';
  const { why } = usePermissions();
  const refused = why(OPERATION[action]);
  if (refused)
    return (
      <p className="muted permission-note">
        {action === 'bar' ? 'Barring' : 'Unbarring'}: {refused.toLowerCase()}
      </p>
    );
  return <BarringForm subscriber={subscriber} action={action} />;
}

function BarringForm({ subscriber, action }: { subscriber: Subscriber; action: BarAction }) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const verb = action === 'bar' ? 'Bar' : 'Unbar';
  const mutation = useApiMutation({
    run: (why: string) => changeBarring(subscriber.imsi, action, why),
    invalidates: [subscriberKeys.all],
    // The reply is the subscriber as it now is: shown at once (it re-keys this control, closing the form).
    onSuccess: (updated) => client.setQueryData(subscriberKeys.one(updated.imsi), updated),
  });

  useEffect(() => {
    if (open) reasonRef.current?.focus();
  }, [open]);

  if (!open)
    return (
      <div className="card-actions">
        <button
          type="button"
          className={action === 'bar' ? 'button button-danger' : 'button button-primary'}
          onClick={() => setOpen(true)}
          aria-expanded={false}
        >
          {verb}
        </button>
      </div>
    );

  const trimmed = reason.trim();
  const tooShort = trimmed.length < MIN_REASON;
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (!mutation.pending && !tooShort) mutation.start(trimmed);
      }}
      aria-label={`${verb} subscriber`}
    >
      <div className="field">
        <label htmlFor="barring-reason">
          Reason for {action === 'bar' ? 'barring' : 'unbarring'}{' '}
          <span className="optional">(kept in the audit log)</span>
        </label>
        <textarea
          ref={reasonRef}
          id="barring-reason"
          rows={2}
          required
          minLength={MIN_REASON}
          maxLength={MAX_REASON}
          aria-describedby="barring-reason-hint"
          value={reason}
          onChange={(event) => setReason(event.target.value)}
        />
        <span id="barring-reason-hint" className="hint">
          At least {MIN_REASON} characters.
          {action === 'bar' ? ' The SIM loses network access as soon as Open5GS is updated.' : ''}
        </span>
      </div>
      <div className="form-actions">
        <button
          type="submit"
          className={action === 'bar' ? 'button button-danger' : 'button button-primary'}
          disabled={mutation.pending || tooShort}
          aria-busy={mutation.pending}
        >
          {mutation.pending
            ? `${verb === 'Bar' ? 'Barring' : 'Unbarring'}…`
            : `Confirm ${verb.toLowerCase()}`}
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={() => {
            setOpen(false);
            setReason('');
            mutation.reset();
          }}
          disabled={mutation.pending}
        >
          Cancel
        </button>
      </div>
      {mutation.error ? (
        <ErrorNotice error={mutation.error} title={`Could not ${action} the subscriber`} />
      ) : null}
    </form>
  );
}
