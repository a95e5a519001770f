import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, asApiError, isAbort, unwrap, type ApiError, type Schemas } from '../api/client';
import { ErrorNotice } from '../components/ErrorNotice';
import { StatusPill, type Tone } from '../components/StatusPill';
import { formatCount, formatDateTime } from '../format';

const PAGE_SIZE = 100;
const JOB_POLL_MS = 500;
/** The server's filename rule: 1-200 characters, no path separators. */
const MAX_FILENAME = 200;

type SimList = Schemas['SimList'];
type SimCard = SimList['sims'][number];
type SimStatus = SimCard['status'];
type ImportJob = Schemas['SimImportJob'];
type KekRotation = Schemas['KekRotation'];

const SIM_STATUSES: readonly SimStatus[] = ['available', 'assigned', 'retired'];
const SIM_TONE: Record<SimStatus, Tone> = { available: 'good', assigned: 'neutral', retired: 'warn' };
const JOB_TONE: Record<ImportJob['status'], Tone> = {
  queued: 'neutral',
  running: 'warn',
  completed: 'good',
  failed: 'bad',
};

const isFinished = (job: ImportJob): boolean => job.status === 'completed' || job.status === 'failed';

export function SimsPage() {
  // Bumped when an import finishes, so the counts, the table and the recent imports reload.
  const [generation, setGeneration] = useState(0);
  const [activeJob, setActiveJob] = useState<ImportJob | null>(null);
  const [counts, setCounts] = useState<SimList['counts'] | null>(null);
  const bump = useCallback(() => setGeneration((g) => g + 1), []);

  return (
    <>
      <div className="page-header">
        <h1>SIM inventory</h1>
        <div className="page-actions">
          <button type="button" className="button button-secondary" onClick={bump}>
            Refresh
          </button>
        </div>
      </div>

      <SimCounts counts={counts} />

      <section className="card import-card" aria-labelledby="import-heading">
        <h2 id="import-heading">Import a SIM batch</h2>
        <ImportForm
          busy={activeJob !== null && !isFinished(activeJob)}
          onStarted={(job) => {
            setActiveJob(job);
            bump();
          }}
        />
        {activeJob ? <ImportJobView key={activeJob.id} initial={activeJob} onFinished={bump} /> : null}
      </section>

      <SimTable generation={generation} onCounts={setCounts} />

      <RecentImports
        generation={generation}
        activeId={activeJob?.id ?? null}
        onView={(job) => setActiveJob(job)}
      />

      <KekSection />
    </>
  );
}

function ImportForm({ busy, onStarted }: { busy: boolean; onStarted: (job: ImportJob) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (!file || uploading || busy) return;
    setUploading(true);
    setError(null);
    try {
      const csv = await file.text();
      const filename = file.name.replace(/[/\\]/g, '_').slice(0, MAX_FILENAME) || 'upload.csv';
      const job = await unwrap(
        api.POST('/api/v1/sims/imports', {
          params: { query: { filename } },
          body: csv,
          bodySerializer: (body: string) => body,
          headers: { 'Content-Type': 'text/csv' },
        }),
      );
      setFile(null);
      if (inputRef.current) inputRef.current.value = '';
      onStarted(job);
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setUploading(false);
    }
  };

  return (
    <form className="import-form" onSubmit={(event) => void submit(event)}>
      <div className="import-help">
        <p>
          A CSV file with a header row: <code>imsi,iccid,ki,opc</code> (or <code>op</code> instead of{' '}
          <code>opc</code>), optionally followed by <code>msisdn</code> and <code>batch</code>. Header names
          are case-insensitive. Magma NMS subscriber exports are accepted as they are.
        </p>
        <p className="muted">
          IMSIs must belong to this network&rsquo;s PLMN. Keys are encrypted on arrival and never shown again;
          bad rows are reported with their line number and do not stop the others.
        </p>
      </div>
      <div className="import-controls">
        <div className="field field-inline">
          <label htmlFor="sim-import-file">SIM batch file (CSV)</label>
          <input
            ref={inputRef}
            id="sim-import-file"
            name="file"
            type="file"
            accept=".csv,text/csv"
            onChange={(event) => setFile(event.target.files?.[0] ?? null)}
          />
        </div>
        <button
          type="submit"
          className="button button-primary"
          disabled={!file || uploading || busy}
          aria-busy={uploading}
        >
          {uploading ? 'Uploading…' : 'Import'}
        </button>
      </div>
      {error ? <ErrorNotice error={error} title="The import could not start" /> : null}
    </form>
  );
}

/** Polls one import job every 500 ms until it has finished, then shows its summary and rejected rows. */
function ImportJobView({ initial, onFinished }: { initial: ImportJob; onFinished: () => void }) {
  const [job, setJob] = useState<ImportJob>(initial);
  const [error, setError] = useState<ApiError | null>(null);
  const onFinishedRef = useRef(onFinished);
  useEffect(() => {
    onFinishedRef.current = onFinished;
  });

  useEffect(() => {
    if (isFinished(initial)) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (): Promise<void> => {
      try {
        const next = await unwrap(
          api.GET('/api/v1/sims/imports/{id}', {
            params: { path: { id: initial.id } },
            signal: controller.signal,
          }),
        );
        setJob(next);
        setError(null);
        if (isFinished(next)) {
          onFinishedRef.current();
          return;
        }
      } catch (caught) {
        if (isAbort(caught)) return;
        setError(asApiError(caught)); // keep polling: a blip should not lose track of the job
      }
      timer = setTimeout(() => void poll(), JOB_POLL_MS);
    };
    timer = setTimeout(() => void poll(), JOB_POLL_MS);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [initial]);

  const finished = isFinished(job);
  const total = job.totalRows;
  const percent = total > 0 ? Math.floor((job.processedRows / total) * 100) : finished ? 100 : 0;
  const statusText =
    job.status === 'queued'
      ? 'Queued — reading the file…'
      : job.status === 'running'
        ? `Importing: ${formatCount(job.processedRows)} of ${formatCount(total)} rows`
        : job.status === 'completed'
          ? `Completed: ${formatCount(job.processedRows)} of ${formatCount(total)} rows processed`
          : 'Failed';
  const reported = job.errors.length;
  const problems = job.invalid + job.conflicts;

  return (
    <section className="import-job" aria-labelledby="import-job-heading">
      <h3 id="import-job-heading">
        Import of <code>{job.filename}</code> <StatusPill value={job.status} tone={JOB_TONE[job.status]} />
      </h3>
      <div className="progress-row">
        <progress
          id="import-progress"
          aria-labelledby="import-job-heading"
          aria-describedby="import-progress-text"
          max={finished && total === 0 ? 1 : total || undefined}
          value={finished && total === 0 ? 1 : total > 0 ? job.processedRows : undefined}
        >
          {percent}%
        </progress>
        <span className="progress-percent" aria-hidden="true">
          {job.status === 'queued' ? '…' : `${percent}%`}
        </span>
      </div>
      <p id="import-progress-text" className="progress-text" role="status" aria-live="polite">
        {statusText}
      </p>

      {error ? <ErrorNotice error={error} title="Lost track of the import; retrying" /> : null}
      {job.status === 'failed' && job.failure ? (
        <div className="notice notice-error" role="alert">
          <strong className="notice-title">The import failed</strong>
          <p className="notice-message">{job.failure}</p>
        </div>
      ) : null}

      {finished ? (
        <>
          <dl className="stats stats-compact" aria-label="Import summary">
            <div className="stat">
              <dt>Imported</dt>
              <dd>{formatCount(job.imported)}</dd>
            </div>
            <div className="stat">
              <dt>Duplicates</dt>
              <dd>{formatCount(job.duplicates)}</dd>
            </div>
            <div className={job.conflicts > 0 ? 'stat stat-bad' : 'stat'}>
              <dt>Conflicts</dt>
              <dd>{formatCount(job.conflicts)}</dd>
            </div>
            <div className={job.invalid > 0 ? 'stat stat-bad' : 'stat'}>
              <dt>Invalid</dt>
              <dd>{formatCount(job.invalid)}</dd>
            </div>
          </dl>
          {reported > 0 ? (
            <div className="table-wrap">
              <table className="table table-compact">
                <caption className="table-caption">
                  Rejected rows
                  {reported < problems
                    ? ` (the first ${formatCount(reported)} of ${formatCount(problems)})`
                    : ''}
                </caption>
                <thead>
                  <tr>
                    <th scope="col" className="num">
                      Line
                    </th>
                    <th scope="col">IMSI</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {job.errors.map((problem) => (
                    <tr key={`${problem.line}-${problem.reason}`}>
                      <td className="num">{problem.line}</td>
                      <td>{problem.imsi ? <code>{problem.imsi}</code> : <span className="muted">—</span>}</td>
                      <td>{problem.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

type SimFilter = { search: string; status: SimStatus | '' };

function SimCounts({ counts }: { counts: SimList['counts'] | null }) {
  return (
    <section aria-labelledby="counts-heading">
      <h2 id="counts-heading" className="visually-hidden">
        Inventory counts
      </h2>
      <dl className="stats" aria-busy={counts === null}>
        {SIM_STATUSES.map((status) => (
          <div key={status} className={`stat stat-${status}`}>
            <dt>{status[0]?.toUpperCase() + status.slice(1)}</dt>
            <dd>{counts ? formatCount(counts[status]) : '—'}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function SimTable({
  generation,
  onCounts,
}: {
  generation: number;
  onCounts: (counts: SimList['counts']) => void;
}) {
  const [draft, setDraft] = useState<SimFilter>({ search: '', status: '' });
  const [filter, setFilter] = useState<SimFilter>({ search: '', status: '' });
  const [sims, setSims] = useState<SimCard[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState<'first' | 'more' | null>('first');
  const [error, setError] = useState<ApiError | null>(null);
  const controllerRef = useRef<AbortController | null>(null);
  const onCountsRef = useRef(onCounts);
  useEffect(() => {
    onCountsRef.current = onCounts;
  });

  const load = useCallback(async (applied: SimFilter, after: string | null): Promise<void> => {
    controllerRef.current?.abort();
    const controller = new AbortController();
    controllerRef.current = controller;
    setLoading(after === null ? 'first' : 'more');
    setError(null);
    try {
      const page = await unwrap(
        api.GET('/api/v1/sims', {
          params: {
            query: {
              // One more than shown: the API's `next` is set whenever a page is full, even if nothing follows.
              limit: PAGE_SIZE + 1,
              ...(applied.search ? { search: applied.search } : {}),
              ...(applied.status ? { status: applied.status } : {}),
              ...(after ? { after } : {}),
            },
          },
          signal: controller.signal,
        }),
      );
      const shown = page.sims.slice(0, PAGE_SIZE);
      setSims((previous) => (after === null ? shown : [...previous, ...shown]));
      onCountsRef.current(page.counts);
      setNext(page.sims.length > PAGE_SIZE ? (shown.at(-1)?.imsi ?? null) : null);
    } catch (caught) {
      if (isAbort(caught)) return;
      setError(asApiError(caught));
    } finally {
      if (controllerRef.current === controller) {
        controllerRef.current = null;
        setLoading(null);
      }
    }
  }, []);

  useEffect(() => {
    void load(filter, null);
  }, [load, filter, generation]);
  useEffect(() => () => controllerRef.current?.abort(), []);

  const apply = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    setFilter({ search: draft.search.trim(), status: draft.status });
  };
  const filtered = filter.search !== '' || filter.status !== '';

  return (
    <>
      <section aria-labelledby="sims-heading">
        <h2 id="sims-heading">SIM cards</h2>
        <form className="filters" role="search" aria-label="SIM cards" onSubmit={apply}>
          <div className="field field-inline">
            <label htmlFor="sim-search">IMSI, ICCID or MSISDN starts with</label>
            <input
              id="sim-search"
              type="search"
              inputMode="numeric"
              autoComplete="off"
              spellCheck={false}
              pattern="[0-9+]{1,20}"
              maxLength={20}
              title="Digits of an IMSI, ICCID or MSISDN (up to 20)"
              value={draft.search}
              onChange={(event) => setDraft({ ...draft, search: event.target.value })}
            />
          </div>
          <div className="field field-inline">
            <label htmlFor="sim-status">Status</label>
            <select
              id="sim-status"
              value={draft.status}
              onChange={(event) => {
                const status = event.target.value as SimFilter['status'];
                setDraft({ ...draft, status });
                setFilter({ search: draft.search.trim(), status });
              }}
            >
              <option value="">All</option>
              {SIM_STATUSES.map((status) => (
                <option key={status} value={status}>
                  {status}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button button-secondary" disabled={loading === 'first'}>
            Search
          </button>
        </form>

        {error ? <ErrorNotice error={error} title="Could not load the SIM inventory" /> : null}

        <div className="table-wrap">
          <table className="table" aria-busy={loading !== null}>
            <thead>
              <tr>
                <th scope="col">IMSI</th>
                <th scope="col">ICCID</th>
                <th scope="col">MSISDN</th>
                <th scope="col">Batch</th>
                <th scope="col">Status</th>
                <th scope="col">Added</th>
              </tr>
            </thead>
            <tbody>
              {sims.map((sim) => (
                <tr key={sim.imsi}>
                  <td>
                    <code>{sim.imsi}</code>
                  </td>
                  <td>{sim.iccid ? <code>{sim.iccid}</code> : <span className="muted">—</span>}</td>
                  <td>{sim.msisdn ?? <span className="muted">—</span>}</td>
                  <td>{sim.batch ?? <span className="muted">—</span>}</td>
                  <td>
                    <StatusPill value={sim.status} tone={SIM_TONE[sim.status]} />
                  </td>
                  <td className="nowrap">
                    <time dateTime={sim.createdAt}>{formatDateTime(sim.createdAt)}</time>
                  </td>
                </tr>
              ))}
              {sims.length === 0 && loading === null && !error ? (
                <tr>
                  <td colSpan={6} className="empty">
                    {filtered ? 'No SIM matches this search.' : 'No SIMs yet: import a vendor batch above.'}
                  </td>
                </tr>
              ) : null}
              {sims.length === 0 && loading === 'first' ? (
                <tr>
                  <td colSpan={6} className="empty">
                    Loading…
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
        <div className="table-footer">
          <span className="muted" aria-live="polite">
            {formatCount(sims.length)} {sims.length === 1 ? 'SIM' : 'SIMs'} shown
          </span>
          {next !== null ? (
            <button
              type="button"
              className="button button-secondary"
              onClick={() => void load(filter, next)}
              disabled={loading !== null}
            >
              {loading === 'more' ? 'Loading…' : 'Load more'}
            </button>
          ) : null}
        </div>
      </section>
    </>
  );
}

function RecentImports({
  generation,
  activeId,
  onView,
}: {
  generation: number;
  activeId: string | null;
  onView: (job: ImportJob) => void;
}) {
  const [jobs, setJobs] = useState<ImportJob[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    unwrap(api.GET('/api/v1/sims/imports', { signal: controller.signal })).then(
      (list) => {
        setJobs(list.jobs);
        setError(null);
      },
      (caught: unknown) => {
        if (!isAbort(caught)) setError(asApiError(caught));
      },
    );
    return () => controller.abort();
  }, [generation]);

  return (
    <section aria-labelledby="imports-heading">
      <h2 id="imports-heading">Recent imports</h2>
      {error ? <ErrorNotice error={error} title="Could not load the recent imports" /> : null}
      <div className="table-wrap">
        <table className="table" aria-busy={jobs === null}>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">File</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Rows
              </th>
              <th scope="col" className="num">
                Imported
              </th>
              <th scope="col" className="num">
                Duplicates
              </th>
              <th scope="col" className="num">
                Conflicts
              </th>
              <th scope="col" className="num">
                Invalid
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(jobs ?? []).map((job) => (
              <tr key={job.id}>
                <td className="nowrap">
                  <time dateTime={job.createdAt}>{formatDateTime(job.createdAt)}</time>
                </td>
                <td className="break">{job.filename}</td>
                <td>
                  <StatusPill value={job.status} tone={JOB_TONE[job.status]} />
                </td>
                <td className="num">{formatCount(job.totalRows)}</td>
                <td className="num">{formatCount(job.imported)}</td>
                <td className="num">{formatCount(job.duplicates)}</td>
                <td className="num">{formatCount(job.conflicts)}</td>
                <td className="num">{formatCount(job.invalid)}</td>
                <td>
                  <button
                    type="button"
                    className="button button-link"
                    onClick={() => onView(job)}
                    disabled={job.id === activeId}
                    aria-label={`Show the import of ${job.filename} started ${formatDateTime(job.createdAt)}`}
                  >
                    Show
                  </button>
                </td>
              </tr>
            ))}
            {jobs !== null && jobs.length === 0 ? (
              <tr>
                <td colSpan={9} className="empty">
                  No imports yet.
                </td>
              </tr>
            ) : null}
            {jobs === null && !error ? (
              <tr>
                <td colSpan={9} className="empty">
                  Loading…
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/**
 * Rotate the key-encryption key (security-officer), behind a confirm step: every data key is re-wrapped
 * under a new KEK and the old one is dropped; the SIM ciphertexts themselves do not change.
 */
function KekSection() {
  const [confirming, setConfirming] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [rotation, setRotation] = useState<KekRotation | null>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  // The safe choice gets the focus when the confirm step opens.
  useEffect(() => {
    if (confirming) cancelRef.current?.focus();
  }, [confirming]);

  const rotate = async (): Promise<void> => {
    if (rotating) return;
    setRotating(true);
    setError(null);
    try {
      setRotation(await unwrap(api.POST('/api/v1/sims/kek/rotate')));
      setConfirming(false);
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setRotating(false);
    }
  };

  return (
    <section className="card kek-card" aria-labelledby="kek-heading">
      <h2 id="kek-heading">Key-encryption key</h2>
      <p className="card-lead">
        Every SIM&rsquo;s K and OPc are encrypted at rest under data keys, and the data keys are wrapped by
        the key-encryption key (KEK) in the server&rsquo;s key file. Rotating the KEK creates a new one,
        re-wraps every data key under it in one transaction and then drops the old KEK; the SIM ciphertexts
        are not touched. Needs the security-officer role; the rotation is recorded in the audit log.
      </p>
      {confirming ? (
        <div className="inline-form" role="group" aria-labelledby="kek-confirm-text">
          <p id="kek-confirm-text" className="card-lead">
            <strong>Rotate the KEK now?</strong> Back up the key file again afterwards: database backups taken
            before the rotation can only be read with the old key file.
          </p>
          <div className="form-actions">
            <button
              type="button"
              className="button button-primary"
              onClick={() => void rotate()}
              disabled={rotating}
              aria-busy={rotating}
            >
              {rotating ? 'Rotating…' : 'Confirm rotation'}
            </button>
            <button
              ref={cancelRef}
              type="button"
              className="button button-secondary"
              onClick={() => {
                setConfirming(false);
                setError(null);
              }}
              disabled={rotating}
            >
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div className="card-actions">
          <button
            type="button"
            className="button button-secondary"
            onClick={() => {
              setConfirming(true);
              setRotation(null);
            }}
            aria-expanded={false}
          >
            Rotate KEK
          </button>
        </div>
      )}
      <div role="status" aria-live="polite">
        {rotation ? (
          <p className="success-text">
            Active KEK <code>{rotation.kekId}</code>; re-wrapped {formatCount(rotation.rewrapped)}{' '}
            {rotation.rewrapped === 1 ? 'data key' : 'data keys'}.
          </p>
        ) : null}
      </div>
      {error ? <ErrorNotice error={error} title="The KEK was not rotated" /> : null}
    </section>
  );
}
