import { useState, type FormEvent } from 'react';
import { api, asApiError, unwrap, type ApiError, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatCount } from '../../format';
import { hasRole } from '../../identity';
import { Link } from '../../router';
import { useLoad } from './useLoad';
import { NasClientRow, type NasCounts } from './NasClientRow';

type Counter = Schemas['RadiusClientCounters']['counters'][number];

/** Counters of the last 24 hours, per NAS id ('' for unregistered addresses). */
function countsByClient(counters: readonly Counter[]): Map<string, NasCounts> {
  const byClient = new Map<string, NasCounts>();
  for (const c of counters) {
    const key = c.clientId ?? '';
    const n = byClient.get(key) ?? { accept: 0, reject: 0, drop: 0, reasons: [] };
    if (c.result === 'accept' || c.result === 'reject' || c.result === 'drop') n[c.result] += c.count;
    if (c.result !== 'accept') n.reasons.push({ result: c.result, reason: c.reason, count: c.count });
    byClient.set(key, n);
  }
  for (const n of byClient.values()) n.reasons.sort((a, b) => b.count - a.count);
  return byClient;
}

async function loadAll(signal: AbortSignal) {
  const [clients, counters] = await Promise.all([
    unwrap(api.GET('/api/v1/radius/clients', { signal })),
    unwrap(api.GET('/api/v1/radius/clients/counters', { signal })),
  ]);
  return { clients: clients.clients, counts: countsByClient(counters.counters) };
}

/** NAS clients (Wi-Fi controllers, VPN concentrators): what each sent in the last day, and their upkeep. */
export function NasClientsPage() {
  const { operator } = useSession();
  const canEdit = hasRole(operator, 'network-admin') || hasRole(operator, 'security-officer');
  const { data, error, loading, reload } = useLoad(loadAll, 'nas');
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const unknown = data?.counts.get('');

  return (
    <>
      <div className="page-header">
        <div>
          <h1>NAS clients</h1>
          <p className="page-subtitle muted">
            Devices allowed to send RADIUS, with what each sent in the last 24 hours. The reasons are in the{' '}
            <Link to="/radius/log?channel=radius">sign-in log</Link>.
          </p>
        </div>
        <div className="page-actions">
          <button type="button" className="button button-secondary" onClick={reload} disabled={loading}>
            Refresh
          </button>
        </div>
      </div>
      {error ? <ErrorNotice error={error} title="Could not load the NAS clients" /> : null}
      {secret ? (
        <section className="notice" role="status" aria-label="Shared secret">
          <p>
            Shared secret of <strong>{secret.name}</strong>, shown this once — set it on the NAS now:
          </p>
          <p>
            <code>{secret.secret}</code>
          </p>
          <button type="button" className="button button-secondary" onClick={() => setSecret(null)}>
            Done
          </button>
        </section>
      ) : null}
      {unknown ? (
        <p className="notice notice-warn" role="note">
          {formatCount(unknown.drop)} datagrams from unregistered addresses dropped in the last 24 hours.
        </p>
      ) : null}
      <div className="table-wrap">
        <table className="table" aria-busy={loading}>
          <caption className="visually-hidden">NAS clients</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Address</th>
              <th scope="col">Accepts</th>
              <th scope="col">Rejects</th>
              <th scope="col">Drops</th>
              <th scope="col">Top reasons</th>
              <th scope="col">Secret</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(data?.clients ?? []).map((c) => (
              <NasClientRow
                key={c.id}
                client={c}
                counts={data?.counts.get(c.id)}
                canEdit={canEdit}
                onChanged={reload}
                onSecret={(s) => setSecret({ name: c.name, secret: s })}
              />
            ))}
            {data && data.clients.length === 0 ? (
              <tr>
                <td colSpan={8} className="muted">
                  No NAS client yet.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {canEdit ? (
        <AddNas
          onAdded={(name, s) => {
            setSecret({ name, secret: s });
            reload();
          }}
        />
      ) : null}
    </>
  );
}

function AddNas({ onAdded }: { onAdded: (name: string, secret: string) => void }) {
  const [name, setName] = useState('');
  const [cidr, setCidr] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await unwrap(api.POST('/api/v1/radius/clients', { body: { name, cidr } }));
      setName('');
      setCidr('');
      onAdded(created.name, created.secret);
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="add-nas">
      <h2 id="add-nas">Add a NAS</h2>
      {error ? <ErrorNotice error={error} title="The NAS was not added" /> : null}
      <form className="filters" onSubmit={(e) => void submit(e)}>
        <div className="field field-inline">
          <label htmlFor="nas-name">Name</label>
          <input id="nas-name" required value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field field-inline">
          <label htmlFor="nas-cidr">Address or CIDR</label>
          <input
            id="nas-cidr"
            required
            placeholder="10.20.0.0/16"
            value={cidr}
            onChange={(e) => setCidr(e.target.value)}
          />
        </div>
        <button type="submit" className="button" disabled={busy}>
          Add (a secret is generated)
        </button>
      </form>
    </section>
  );
}
