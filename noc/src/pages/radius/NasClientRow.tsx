import { useState, type FormEvent } from 'react';
import { api, asApiError, unwrap, type ApiError, type Schemas } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatCount, formatDateTime } from '../../format';
import { Link } from '../../router';

type Client = Schemas['RadiusClient'];
export type NasCounts = {
  accept: number;
  reject: number;
  drop: number;
  reasons: { result: string; reason: string; count: number }[];
};

const text = (v: FormDataEntryValue | null): string => (typeof v === 'string' ? v : '');

/** One NAS: its counters and, for network admins and security officers, edit, rotate, disable. */
export function NasClientRow(props: {
  client: Client;
  counts: NasCounts | undefined;
  canEdit: boolean;
  onChanged: () => void;
  onSecret: (secret: string) => void;
}) {
  const { client: c, counts, canEdit, onChanged, onSecret } = props;
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const id = { params: { path: { id: c.id } } };

  const run = async (action: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await action();
      onChanged();
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };
  const change = (body: Schemas['RadiusClientChange']) =>
    run(() => unwrap(api.PATCH('/api/v1/radius/clients/{id}', { ...id, body })));
  const rotate = () =>
    run(async () => {
      const r = await unwrap(api.POST('/api/v1/radius/clients/{id}/secret', { ...id, body: {} }));
      onSecret(r.secret);
    });
  const save = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void change({ name: text(form.get('name')), cidr: text(form.get('cidr')) }).then(() => setEditing(false));
  };
  const logLink = (extra = '') => `/radius/log?channel=radius&nas=${encodeURIComponent(c.name)}${extra}`;

  return (
    <tr aria-label={c.name}>
      <td>
        {editing ? (
          <form id={`edit-${c.id}`} onSubmit={save}>
            <input name="name" aria-label="Name" defaultValue={c.name} required />
          </form>
        ) : (
          <>
            {c.name}
            {c.disabledAt ? (
              <>
                {' '}
                <span className="pill pill-warn">disabled</span>
              </>
            ) : null}
          </>
        )}
        {error ? <ErrorNotice error={error} title="Not changed" /> : null}
      </td>
      <td>
        {editing ? (
          <input
            name="cidr"
            form={`edit-${c.id}`}
            aria-label="Address or CIDR"
            defaultValue={c.cidr}
            required
          />
        ) : (
          <code>{c.cidr}</code>
        )}
      </td>
      <td>{formatCount(counts?.accept ?? 0)}</td>
      <td>
        <Link to={logLink('&result=reject')}>{formatCount(counts?.reject ?? 0)}</Link>
      </td>
      <td>
        <Link to={logLink('&result=drop')}>{formatCount(counts?.drop ?? 0)}</Link>
      </td>
      <td>
        {(counts?.reasons ?? []).slice(0, 3).map((r) => (
          <div key={`${r.result}-${r.reason}`}>
            {r.reason.replaceAll('_', ' ')} <span className="muted">({formatCount(r.count)})</span>
          </div>
        ))}
      </td>
      <td className="nowrap">
        {c.secretRotatedAt
          ? `rotated ${formatDateTime(c.secretRotatedAt)}`
          : `set ${formatDateTime(c.createdAt)}`}
      </td>
      <td className="nowrap">
        {canEdit ? (
          editing ? (
            <>
              <button type="submit" form={`edit-${c.id}`} className="button" disabled={busy}>
                Save
              </button>{' '}
              <button type="button" className="button button-secondary" onClick={() => setEditing(false)}>
                Cancel
              </button>
            </>
          ) : (
            <>
              <button type="button" className="button button-secondary" onClick={() => setEditing(true)}>
                Edit
              </button>{' '}
              <button
                type="button"
                className="button button-secondary"
                onClick={() => void rotate()}
                disabled={busy}
              >
                Rotate secret
              </button>{' '}
              <button
                type="button"
                className="button button-secondary"
                onClick={() => void change({ disabled: !c.disabledAt })}
                disabled={busy}
              >
                {c.disabledAt ? 'Enable' : 'Disable'}
              </button>
            </>
          )
        ) : null}
      </td>
    </tr>
  );
}
