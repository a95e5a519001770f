import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, asApiError, isAbort, unwrap, type ApiError, type Schemas } from '../api/client';
import { ErrorNotice } from '../components/ErrorNotice';
import { StatusPill } from '../components/StatusPill';
import { SyncStatePill } from '../components/SyncStatePill';
import { formatCount, formatDateTime } from '../format';
import { Link, navigate, useLocation } from '../router';

const PAGE_SIZE = 25;

type Subscriber = Schemas['Subscriber'];
type SubscriberStatus = Subscriber['status'];
type ProfileTemplate = Schemas['ProfileTemplate'];
type SyncStatus = Schemas['Open5gsSyncStatus'];
type SyncReport = Schemas['Open5gsSyncReport'];

const STATUSES: readonly SubscriberStatus[] = ['active', 'barred'];

/** The list's filters live in the URL, so a subscriber's detail page can go back to the same view. */
type Filters = { search: string; status: SubscriberStatus | ''; profile: string; page: number };

function readFilters(search: URLSearchParams): Filters {
  const status = search.get('status');
  const page = Number.parseInt(search.get('page') ?? '1', 10);
  return {
    search: search.get('search') ?? '',
    status: status === 'active' || status === 'barred' ? status : '',
    profile: search.get('profile') ?? '',
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

function filtersUrl(f: Filters): string {
  const q = new URLSearchParams();
  if (f.search) q.set('search', f.search);
  if (f.status) q.set('status', f.status);
  if (f.profile) q.set('profile', f.profile);
  if (f.page > 1) q.set('page', String(f.page));
  return q.size ? `/subscribers?${q.toString()}` : '/subscribers';
}

/** Profile names for the filter and the assign form; shared so both selects agree. */
function useProfiles(): { profiles: ProfileTemplate[]; error: ApiError | null } {
  const [profiles, setProfiles] = useState<ProfileTemplate[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    unwrap(api.GET('/api/v1/subscriber-profiles', { signal: controller.signal })).then(
      (list) => setProfiles(list.profiles),
      (caught: unknown) => {
        if (!isAbort(caught)) setError(asApiError(caught));
      },
    );
    return () => controller.abort();
  }, []);
  return { profiles, error };
}

export function SubscribersPage() {
  const { search } = useLocation();
  const filters = readFilters(search);
  const { profiles, error: profilesError } = useProfiles();
  const [generation, setGeneration] = useState(0);

  return (
    <>
      <div className="page-header">
        <h1>Subscribers</h1>
        <div className="page-actions">
          <button
            type="button"
            className="button button-secondary"
            onClick={() => setGeneration((g) => g + 1)}
          >
            Refresh
          </button>
        </div>
      </div>

      {profilesError ? <ErrorNotice error={profilesError} title="Could not load the profiles" /> : null}

      <SyncSection generation={generation} onSynced={() => setGeneration((g) => g + 1)} />

      <AssignForm profiles={profiles} onAssigned={() => setGeneration((g) => g + 1)} />

      <SubscriberList
        key={filtersUrl({ ...filters, page: 1 })}
        filters={filters}
        profiles={profiles}
        generation={generation}
      />
    </>
  );
}

function SubscriberList({
  filters,
  profiles,
  generation,
}: {
  filters: Filters;
  profiles: ProfileTemplate[];
  generation: number;
}) {
  const [draft, setDraft] = useState({
    search: filters.search,
    status: filters.status,
    profile: filters.profile,
  });
  const [page, setPage] = useState<Schemas['SubscriberPage'] | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const controllerRef = useRef<AbortController | null>(null);
  const { search, status, profile, page: pageNumber } = filters;

  const load = useCallback(async (): Promise<void> => {
    controllerRef.current?.abort();
    const controller = new AbortController();
    controllerRef.current = controller;
    setLoading(true);
    setError(null);
    try {
      const result = await unwrap(
        api.GET('/api/v1/subscribers', {
          params: {
            query: {
              limit: PAGE_SIZE,
              offset: (pageNumber - 1) * PAGE_SIZE,
              ...(search ? { search } : {}),
              ...(status ? { status } : {}),
              ...(profile ? { profile } : {}),
            },
          },
          signal: controller.signal,
        }),
      );
      setPage(result);
    } catch (caught) {
      if (isAbort(caught)) return;
      setError(asApiError(caught));
    } finally {
      if (controllerRef.current === controller) {
        controllerRef.current = null;
        setLoading(false);
      }
    }
  }, [search, status, profile, pageNumber]);

  useEffect(() => {
    void load();
  }, [load, generation]);
  useEffect(() => () => controllerRef.current?.abort(), []);

  const apply = (next: Partial<typeof draft>): void => {
    const merged = { ...draft, ...next };
    navigate(
      filtersUrl({ search: merged.search.trim(), status: merged.status, profile: merged.profile, page: 1 }),
    );
  };
  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    apply({});
  };

  const total = page?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const first = total === 0 ? 0 : (pageNumber - 1) * PAGE_SIZE + 1;
  const last = Math.min(total, pageNumber * PAGE_SIZE);
  const rows = page?.subscribers ?? [];
  const filtered = search !== '' || status !== '' || profile !== '';
  const goTo = (n: number): void => navigate(filtersUrl({ ...filters, page: n }));

  return (
    <section aria-labelledby="subscribers-heading">
      <h2 id="subscribers-heading">Assigned SIMs</h2>
      <form className="filters" role="search" aria-label="Subscribers" onSubmit={submit}>
        <div className="field field-inline field-grow">
          <label htmlFor="subscriber-search">IMSI, MSISDN or name</label>
          <input
            id="subscriber-search"
            type="search"
            autoComplete="off"
            spellCheck={false}
            maxLength={100}
            value={draft.search}
            onChange={(event) => setDraft({ ...draft, search: event.target.value })}
          />
        </div>
        <div className="field field-inline">
          <label htmlFor="subscriber-status">Status</label>
          <select
            id="subscriber-status"
            value={draft.status}
            onChange={(event) => apply({ status: event.target.value as Filters['status'] })}
          >
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="subscriber-profile">Profile</label>
          <select
            id="subscriber-profile"
            value={draft.profile}
            onChange={(event) => apply({ profile: event.target.value })}
          >
            <option value="">All</option>
            {profiles.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
            {draft.profile && !profiles.some((p) => p.name === draft.profile) ? (
              <option value={draft.profile}>{draft.profile}</option>
            ) : null}
          </select>
        </div>
        <button type="submit" className="button button-secondary" disabled={loading}>
          Search
        </button>
      </form>

      {error ? <ErrorNotice error={error} title="Could not load the subscribers" /> : null}

      <div className="table-wrap">
        <table className="table" aria-busy={loading}>
          <thead>
            <tr>
              <th scope="col">IMSI</th>
              <th scope="col">MSISDN</th>
              <th scope="col">Name</th>
              <th scope="col">User</th>
              <th scope="col">Institution</th>
              <th scope="col">Profile</th>
              <th scope="col">Status</th>
              <th scope="col">Open5GS</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.imsi}>
                <td>
                  <Link to={`/subscribers/${s.imsi}`} aria-label={`Subscriber ${s.imsi}, ${s.displayName}`}>
                    <code>{s.imsi}</code>
                  </Link>
                </td>
                <td>{s.msisdn ?? <span className="muted">—</span>}</td>
                <td>{s.displayName}</td>
                <td className="break">
                  <code>{s.userId}</code>
                </td>
                <td>{s.institutionId ?? <span className="muted">—</span>}</td>
                <td>{s.profile}</td>
                <td>
                  <StatusPill value={s.status} />
                </td>
                <td>
                  <SyncStatePill sync={s.open5gs} />
                </td>
              </tr>
            ))}
            {page !== null && rows.length === 0 && !error ? (
              <tr>
                <td colSpan={8} className="empty">
                  {filtered ? 'No subscriber matches these filters.' : 'No SIM is assigned yet.'}
                </td>
              </tr>
            ) : null}
            {page === null && loading ? (
              <tr>
                <td colSpan={8} className="empty">
                  Loading…
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <nav className="table-footer pagination" aria-label="Subscriber pages">
        <span className="muted" aria-live="polite">
          {total === 0
            ? 'No subscribers'
            : `${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}`}
        </span>
        <span className="pagination-controls">
          <button
            type="button"
            className="button button-secondary"
            onClick={() => goTo(pageNumber - 1)}
            disabled={loading || pageNumber <= 1}
          >
            Previous
          </button>
          <span className="pagination-page">
            Page {formatCount(Math.min(pageNumber, pages))} of {formatCount(pages)}
          </span>
          <button
            type="button"
            className="button button-secondary"
            onClick={() => goTo(pageNumber + 1)}
            disabled={loading || pageNumber >= pages}
          >
            Next
          </button>
        </span>
      </nav>
    </section>
  );
}

const EMPTY_ASSIGN = {
  imsi: '',
  userId: '',
  displayName: '',
  institutionId: '',
  profile: '',
  staticIpv4: '',
};

function AssignForm({ profiles, onAssigned }: { profiles: ProfileTemplate[]; onAssigned: () => void }) {
  const [form, setForm] = useState(EMPTY_ASSIGN);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [assigned, setAssigned] = useState<Subscriber | null>(null);
  const profile =
    form.profile || (profiles.some((p) => p.name === 'default') ? 'default' : (profiles[0]?.name ?? ''));
  const set = (field: keyof typeof EMPTY_ASSIGN) => (event: { target: { value: string } }) =>
    setForm({ ...form, [field]: event.target.value });

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (submitting) return;
    setSubmitting(true);
    setError(null);
    setAssigned(null);
    try {
      const subscriber = await unwrap(
        api.POST('/api/v1/subscribers', {
          body: {
            imsi: form.imsi.trim(),
            userId: form.userId.trim(),
            displayName: form.displayName.trim(),
            ...(form.institutionId.trim() ? { institutionId: form.institutionId.trim() } : {}),
            ...(profile ? { profile } : {}),
            ...(form.staticIpv4.trim() ? { staticIpv4: form.staticIpv4.trim() } : {}),
          },
        }),
      );
      setAssigned(subscriber);
      setForm(EMPTY_ASSIGN);
      onAssigned();
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <section className="card form-card" aria-labelledby="assign-heading">
      <h2 id="assign-heading">Assign a SIM</h2>
      <form onSubmit={(event) => void submit(event)}>
        <div className="form-grid">
          <div className="field">
            <label htmlFor="assign-imsi">IMSI</label>
            <input
              id="assign-imsi"
              inputMode="numeric"
              autoComplete="off"
              spellCheck={false}
              required
              pattern="\d{15}"
              maxLength={15}
              title="15 digits"
              value={form.imsi}
              onChange={set('imsi')}
            />
          </div>
          <div className="field">
            <label htmlFor="assign-user">User ID</label>
            <input
              id="assign-user"
              autoComplete="off"
              spellCheck={false}
              required
              maxLength={128}
              value={form.userId}
              onChange={set('userId')}
            />
          </div>
          <div className="field">
            <label htmlFor="assign-name">Display name</label>
            <input
              id="assign-name"
              autoComplete="off"
              required
              maxLength={200}
              value={form.displayName}
              onChange={set('displayName')}
            />
          </div>
          <div className="field">
            <label htmlFor="assign-institution">
              Institution ID <span className="optional">(optional)</span>
            </label>
            <input
              id="assign-institution"
              autoComplete="off"
              spellCheck={false}
              maxLength={64}
              value={form.institutionId}
              onChange={set('institutionId')}
            />
          </div>
          <div className="field">
            <label htmlFor="assign-profile">Profile</label>
            <select id="assign-profile" value={profile} onChange={set('profile')} required>
              {profiles.length === 0 ? <option value="">Loading…</option> : null}
              {profiles.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="assign-ip">
              Static IPv4 <span className="optional">(optional)</span>
            </label>
            <input
              id="assign-ip"
              inputMode="decimal"
              autoComplete="off"
              spellCheck={false}
              pattern="((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)"
              title="An IPv4 address such as 10.45.0.10"
              value={form.staticIpv4}
              onChange={set('staticIpv4')}
            />
          </div>
        </div>
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={submitting}
            aria-busy={submitting}
          >
            {submitting ? 'Assigning…' : 'Assign SIM'}
          </button>
          <div role="status" aria-live="polite">
            {assigned ? (
              <p className="success-text">
                Assigned <code>{assigned.imsi}</code> to {assigned.displayName}.{' '}
                <Link to={`/subscribers/${assigned.imsi}`}>Open subscriber {assigned.imsi}</Link>
              </p>
            ) : null}
          </div>
        </div>
        {error ? <ErrorNotice error={error} title="The SIM was not assigned" /> : null}
      </form>
    </section>
  );
}

/** Unmanaged IMSIs listed by name before the rest are only counted. */
const SHOWN_UNMANAGED = 10;

/**
 * How subscribers reach Open5GS: live sync into its MongoDB (with the last report, drift and a "Sync now"),
 * or export-only, where the export is a CLI job because it carries K/OPc in clear.
 */
function SyncSection({ generation, onSynced }: { generation: number; onSynced: () => void }) {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [syncing, setSyncing] = useState(false);
  const [syncError, setSyncError] = useState<ApiError | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    unwrap(api.GET('/api/v1/open5gs/sync', { signal: controller.signal })).then(
      (next) => {
        setStatus(next);
        setError(null);
      },
      (caught: unknown) => {
        if (!isAbort(caught)) setError(asApiError(caught));
      },
    );
    return () => controller.abort();
  }, [generation]);

  const syncNow = async (): Promise<void> => {
    if (syncing) return;
    setSyncing(true);
    setSyncError(null);
    try {
      const report = await unwrap(api.POST('/api/v1/open5gs/sync'));
      setStatus((s) => (s ? { ...s, last: report } : { mode: 'mongodb', last: report }));
      onSynced(); // the subscribers' sync states changed too
    } catch (caught) {
      setSyncError(asApiError(caught));
    } finally {
      setSyncing(false);
    }
  };

  return (
    <section className="card sync-card" aria-labelledby="sync-heading">
      <h2 id="sync-heading">Open5GS sync</h2>
      {error ? <ErrorNotice error={error} title="Could not load the Open5GS sync status" /> : null}
      {status === null && !error ? <p className="muted">Loading…</p> : null}
      {status ? (
        <>
          <dl className="facts">
            <dt>Mode</dt>
            <dd>
              <StatusPill value={status.mode} tone={status.mode === 'mongodb' ? 'good' : 'neutral'} />{' '}
              <span className="muted">
                {status.mode === 'mongodb' ? 'live sync into the Open5GS MongoDB' : 'no live sync'}
              </span>
            </dd>
            {status.mode === 'mongodb' ? <LastSync report={status.last} /> : null}
          </dl>
          {status.mode === 'export-only' ? (
            <p className="card-lead">
              <code>OPEN5GS_MONGODB_URL</code> is not set, so Open5GS gets its subscriber documents from an
              export: a security-officer runs{' '}
              <code className="command">pakawaaz subscribers export --out FILE</code> and loads the file with{' '}
              <code>mongoimport</code>. The export contains every SIM&rsquo;s K and OPc in clear and must be
              written to a file only its owner can read (mode 0600), so the NOC does not offer it in the
              browser.
            </p>
          ) : (
            <div className="card-actions">
              <button
                type="button"
                className="button button-secondary"
                onClick={() => void syncNow()}
                disabled={syncing}
                aria-busy={syncing}
              >
                {syncing ? 'Syncing…' : 'Sync now'}
              </button>
              <span className="hint">Needs the network-admin role.</span>
            </div>
          )}
          {syncError ? <ErrorNotice error={syncError} title="The sync did not run" /> : null}
          {status.last && status.last.drift.length > 0 ? <DriftTable drift={status.last.drift} /> : null}
        </>
      ) : null}
    </section>
  );
}

function LastSync({ report }: { report: SyncReport | null }) {
  if (!report)
    return (
      <>
        <dt>Last sync</dt>
        <dd className="muted">none since the server started</dd>
      </>
    );
  const unmanaged = report.unmanaged;
  return (
    <>
      <dt>Last sync</dt>
      <dd>
        <StatusPill value={report.ok ? 'ok' : 'failed'} tone={report.ok ? 'good' : 'bad'} />{' '}
        <time dateTime={report.at}>{formatDateTime(report.at)}</time>
      </dd>
      {report.error ? (
        <>
          <dt>Error</dt>
          <dd className="break sync-error">{report.error}</dd>
        </>
      ) : null}
      <dt>Documents</dt>
      <dd>
        {formatCount(report.upserted)} upserted · {formatCount(report.deleted)} deleted ·{' '}
        {formatCount(report.unchanged)} unchanged
      </dd>
      <dt>Drift</dt>
      <dd>
        {report.drift.length === 0
          ? 'none'
          : `${formatCount(report.drift.length)} ${report.drift.length === 1 ? 'document' : 'documents'} changed or removed in Open5GS outside Pakawaaz (listed below)`}
      </dd>
      <dt>Unmanaged</dt>
      <dd className="break">
        {unmanaged.length === 0 ? (
          'none'
        ) : (
          <>
            {formatCount(unmanaged.length)} not created by Pakawaaz (left alone):{' '}
            {unmanaged.slice(0, SHOWN_UNMANAGED).map((imsi, i) => (
              <span key={imsi}>
                {i > 0 ? ', ' : ''}
                <code>{imsi}</code>
              </span>
            ))}
            {unmanaged.length > SHOWN_UNMANAGED
              ? ` and ${formatCount(unmanaged.length - SHOWN_UNMANAGED)} more`
              : ''}
          </>
        )}
      </dd>
    </>
  );
}

function DriftTable({ drift }: { drift: SyncReport['drift'] }) {
  return (
    <div className="table-wrap">
      <table className="table table-compact">
        <caption className="table-caption">
          Drift: changed or removed in Open5GS outside Pakawaaz; the sync restores the fields Pakawaaz manages
        </caption>
        <thead>
          <tr>
            <th scope="col">IMSI</th>
            <th scope="col">Kind</th>
            <th scope="col">Fields</th>
          </tr>
        </thead>
        <tbody>
          {drift.map((d) => (
            <tr key={`${d.imsi}-${d.kind}`}>
              <td>
                <Link to={`/subscribers/${d.imsi}`}>
                  <code>{d.imsi}</code>
                </Link>
              </td>
              <td>
                <StatusPill value={d.kind} tone="warn" />
              </td>
              <td>
                {d.fields.length === 0 ? (
                  <span className="muted">—</span>
                ) : (
                  d.fields.map((f, i) => (
                    <span key={f}>
                      {i > 0 ? ', ' : ''}
                      <code>{f}</code>
                    </span>
                  ))
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
