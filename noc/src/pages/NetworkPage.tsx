import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, asApiError, isAbort, unwrap, type ApiError, type Schemas } from '../api/client';
import { ErrorNotice } from '../components/ErrorNotice';
import { StatusPill, type Tone } from '../components/StatusPill';
import { formatCount, formatDateTime, formatTime } from '../format';
import { usePolling } from '../usePolling';

const HEALTH_POLL_MS = 5_000;

type CurrentSpec = Schemas['CurrentNetworkSpec'];
type AppliedSpec = Schemas['AppliedNetworkSpec'];
type Open5gsConfig = Schemas['Open5gsConfig'];
type NetworkHealth = Schemas['NetworkHealth'];
type NfHealth = NetworkHealth['nfs'][number];
type Alarm = Schemas['NetworkAlarm'];

/** A 404 means the endpoint is not on this server (yet), or that the domain has nothing to show yet. */
const is404 = (error: ApiError | null): boolean => error?.status === 404;

export function NetworkPage() {
  // Bumped when a new spec is applied, so the spec cards and the Open5GS files reload.
  const [generation, setGeneration] = useState(0);
  const spec = useCurrentSpec(generation);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Network</h1>
          <p className="page-subtitle muted">
            The applied network spec, the health of each network function and the open alarms; below them,
            applying a new spec and the Open5GS configuration it renders to.
          </p>
        </div>
      </div>
      <SpecSection {...spec} />
      <HealthSection />
      <AlarmsSection />
      <ApplySpecSection current={spec.current} onApplied={() => setGeneration((g) => g + 1)} />
      <Open5gsConfigSection generation={generation} />
    </>
  );
}

/**
 * A 404: either the route is not deployed on this server yet (`not_found`, the generic reply), or the
 * domain says there is nothing yet (e.g. no spec applied), whose own message is then the useful one.
 */
function Unavailable({
  title,
  path,
  error,
  onRetry,
}: {
  title: string;
  path: string;
  error: ApiError;
  onRetry: () => void;
}) {
  const routeMissing = error.code === 'not_found';
  return (
    <div className="notice notice-info">
      <strong className="notice-title">{routeMissing ? `${title}: not available yet` : title}</strong>
      <p className="notice-message">
        {routeMissing ? (
          <>
            This server does not offer <code>{path}</code> yet.
          </>
        ) : (
          error.message
        )}
      </p>
      <p className="notice-actions">
        <button type="button" className="button button-secondary button-small" onClick={onRetry}>
          Check again
        </button>
      </p>
    </div>
  );
}

const sliceText = (s: { sst: number; sd?: string | undefined }): string =>
  s.sd ? `SST ${s.sst} / SD ${s.sd}` : `SST ${s.sst}`;

type SpecState = {
  current: CurrentSpec | null;
  error: ApiError | null;
  loading: boolean;
  retry: () => void;
};

/** The current spec, fetched again whenever `generation` changes (after an apply) or on retry. */
function useCurrentSpec(generation: number): SpecState {
  const [current, setCurrent] = useState<CurrentSpec | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    unwrap(api.GET('/api/v1/network/spec', { signal: controller.signal })).then(
      (spec) => {
        setCurrent(spec);
        setLoading(false);
      },
      (caught: unknown) => {
        if (isAbort(caught)) return;
        setError(asApiError(caught));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [attempt, generation]);

  const retry = useCallback(() => setAttempt((a) => a + 1), []);
  return { current, error, loading, retry };
}

function SpecSection({ current, error, loading, retry }: SpecState) {
  const spec = current?.spec;
  return (
    <section aria-labelledby="spec-heading">
      <h2 id="spec-heading">Network spec</h2>
      {loading ? <p className="muted">Loading…</p> : null}
      {error ? (
        is404(error) ? (
          <Unavailable
            title={error.code === 'not_found' ? 'Network spec' : 'No network spec applied yet'}
            path="/api/v1/network/spec"
            error={error}
            onRetry={retry}
          />
        ) : (
          <ErrorNotice error={error} title="Could not load the network spec" />
        )
      ) : null}
      {current && spec ? (
        <div className="cards">
          <section className="card" aria-labelledby="card-spec-identity">
            <h3 id="card-spec-identity" className="card-title">
              Identity
            </h3>
            <dl className="facts">
              <dt>Version</dt>
              <dd>
                v{current.version}{' '}
                <code className="muted" title={`SHA-256 ${current.sha256}`}>
                  {current.sha256.slice(0, 12)}
                </code>
              </dd>
              <dt>Name</dt>
              <dd>
                {spec.networkName.full}
                {spec.networkName.short ? (
                  <span className="muted"> · short name {spec.networkName.short}</span>
                ) : null}
              </dd>
              <dt>PLMN</dt>
              <dd>
                <code>
                  {spec.plmn.mcc}/{spec.plmn.mnc}
                </code>
              </dd>
              <dt>TACs</dt>
              <dd>{spec.tacs.join(', ')}</dd>
              <dt>Applied</dt>
              <dd>
                <time dateTime={current.appliedAt}>{formatDateTime(current.appliedAt)}</time>{' '}
                <span className="muted">by {current.appliedBy}</span>
              </dd>
            </dl>
          </section>
          <section className="card" aria-labelledby="card-spec-slices">
            <h3 id="card-spec-slices" className="card-title">
              Slices
            </h3>
            <ul className="plain-list">
              {spec.slices.map((s) => (
                <li key={sliceText(s)}>
                  <code>{sliceText(s)}</code>
                  {s.name ? <span className="muted"> · {s.name}</span> : null}
                </li>
              ))}
            </ul>
          </section>
          <section className="card" aria-labelledby="card-spec-dnns">
            <h3 id="card-spec-dnns" className="card-title">
              DNNs
            </h3>
            <ul className="plain-list">
              {spec.dnns.map((d) => (
                <li key={d.name}>
                  <code>{d.name}</code> <span className="muted">{d.ipv4.subnet}</span>
                  <div className="muted small">{d.slices.map(sliceText).join(', ')}</div>
                </li>
              ))}
            </ul>
          </section>
        </div>
      ) : null}
    </section>
  );
}

/** The KPIs an operator looks at first, by NF type; any others follow. */
const KEY_KPIS: Partial<Record<NfHealth['nf'], string[]>> = {
  amf: ['registered_ues', 'gnbs_connected', 'registration_success_ratio', 'auth_failure_ratio'],
  smf: ['pdu_sessions_active', 'pdu_session_success_ratio', 'ues_active'],
  upf: ['upf_sessions', 'n3_packets_in_per_s', 'n3_packets_out_per_s'],
  mme: ['enbs_connected', 'enb_ues', 'mme_sessions'],
};
const SHOWN_KPIS = 4;

const KPI_LABELS: Record<string, string> = {
  registered_ues: 'registered UEs',
  gnbs_connected: 'gNBs',
  ran_ues: 'RAN UEs',
  amf_sessions: 'sessions',
  bearers_active: 'bearers',
  registration_success_ratio: 'registration success',
  auth_failure_ratio: 'auth failures',
  pdu_sessions_active: 'PDU sessions',
  pdu_session_success_ratio: 'PDU setup success',
  ues_active: 'active UEs',
  upf_sessions: 'sessions',
  n3_packets_in_per_s: 'N3 in pkt/s',
  n3_packets_out_per_s: 'N3 out pkt/s',
  enbs_connected: 'eNBs',
  enb_ues: 'eNB UEs',
  mme_sessions: 'sessions',
};

const kpiLabel = (name: string): string => KPI_LABELS[name] ?? name.replace(/_/g, ' ');

function kpiValue(name: string, value: number): string {
  if (name.endsWith('_ratio')) return `${(value * 100).toFixed(1)}%`;
  if (name.endsWith('_per_s')) return value.toFixed(1);
  return formatCount(value);
}

function keyKpis(nf: NfHealth): [string, number][] {
  const keys = KEY_KPIS[nf.nf] ?? [];
  const rank = (k: string): number => (keys.includes(k) ? keys.indexOf(k) : keys.length);
  return Object.entries(nf.kpis)
    .sort(([a], [b]) => rank(a) - rank(b))
    .slice(0, SHOWN_KPIS);
}

const NF_TONE: Record<NfHealth['status'], Tone> = { up: 'good', down: 'bad', unknown: 'neutral' };

function SimulatedBadge() {
  return (
    <span className="badge-simulated" title="A lab simulator, not a real network function">
      SIMULATED
    </span>
  );
}

/** Polls every 5 s while the endpoint exists; a 404 stops polling until the operator checks again. */
function HealthSection() {
  const [unavailable, setUnavailable] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  if (unavailable)
    return (
      <section aria-labelledby="health-heading">
        <h2 id="health-heading">Network functions</h2>
        <Unavailable
          title="Network health"
          path="/api/v1/network/health"
          error={unavailable}
          onRetry={() => {
            setUnavailable(null);
            setAttempt((a) => a + 1);
          }}
        />
      </section>
    );
  return <HealthPoller key={attempt} onUnavailable={setUnavailable} />;
}

function HealthPoller({ onUnavailable }: { onUnavailable: (error: ApiError) => void }) {
  const fetchHealth = useCallback(
    (signal: AbortSignal) => unwrap(api.GET('/api/v1/network/health', { signal })),
    [],
  );
  const { data, error, updatedAt, loading } = usePolling<NetworkHealth>(fetchHealth, HEALTH_POLL_MS);
  useEffect(() => {
    if (error && is404(error)) onUnavailable(error);
  }, [error, onUnavailable]);

  return (
    <section aria-labelledby="health-heading">
      <div className="section-header">
        <h2 id="health-heading">Network functions {data?.simulated ? <SimulatedBadge /> : null}</h2>
        <p className="updated" aria-live="polite">
          {updatedAt ? (
            <>
              Last updated <time dateTime={updatedAt.toISOString()}>{formatTime(updatedAt)}</time>
            </>
          ) : loading && !error ? (
            'Loading…'
          ) : null}
          <span className="refresh-hint"> · refreshes every {HEALTH_POLL_MS / 1000} s</span>
        </p>
      </div>
      {error && !is404(error) ? (
        data ? (
          <div className="banner banner-stale" role="alert">
            <strong>Data may be stale.</strong> The last update failed: {error.message}
          </div>
        ) : (
          <ErrorNotice error={error} title="Network health unavailable" />
        )
      ) : null}
      {data && !data.monitoring ? (
        <p className="notice notice-info">
          Health monitoring is not running: no network function is being scraped.
        </p>
      ) : null}
      {data ? (
        <div className={error ? 'table-wrap stale' : 'table-wrap'}>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Function</th>
                <th scope="col">Type</th>
                <th scope="col">State</th>
                <th scope="col">Last scrape</th>
                <th scope="col">Key KPIs</th>
                <th scope="col">Alarms</th>
              </tr>
            </thead>
            <tbody>
              {data.nfs.map((nf) => (
                <NfRow key={nf.name} nf={nf} />
              ))}
              {data.nfs.length === 0 ? (
                <tr>
                  <td colSpan={6} className="empty">
                    No network functions are monitored.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      ) : null}
      {data?.lastRoundAt ? (
        <p className="muted small">
          Scraped every {Math.round(data.intervalMs / 1000)} s; last round{' '}
          <time dateTime={data.lastRoundAt}>{formatDateTime(data.lastRoundAt)}</time>.
        </p>
      ) : null}
    </section>
  );
}

function NfRow({ nf }: { nf: NfHealth }) {
  const kpis = keyKpis(nf);
  const ran = nf.state?.ranNodes;
  return (
    <tr>
      <th scope="row">
        {nf.name}
        {nf.simulated ? (
          <>
            {' '}
            <SimulatedBadge />
          </>
        ) : null}
      </th>
      <td>{nf.nf.toUpperCase()}</td>
      <td>
        <StatusPill value={nf.status} tone={NF_TONE[nf.status]} />
        {nf.status !== 'up' && nf.consecutiveFailures > 0 ? (
          <div className="cell-note">
            {nf.consecutiveFailures} failed {nf.consecutiveFailures === 1 ? 'scrape' : 'scrapes'}
            {nf.lastError ? `: ${nf.lastError}` : ''}
          </div>
        ) : null}
      </td>
      <td className="nowrap">
        {nf.lastScrapeAt ? (
          <time dateTime={nf.lastScrapeAt}>{formatDateTime(nf.lastScrapeAt)}</time>
        ) : (
          <span className="muted">never</span>
        )}
        {nf.scrapeDurationMs !== null ? (
          <div className="muted small">{Math.round(nf.scrapeDurationMs)} ms</div>
        ) : null}
      </td>
      <td>
        {kpis.length === 0 && !ran ? (
          <span className="muted">—</span>
        ) : (
          <dl className="kpis">
            {kpis.map(([name, value]) => (
              <div key={name} className="kpi">
                <dt>{kpiLabel(name)}</dt>
                <dd>{kpiValue(name, value)}</dd>
              </div>
            ))}
            {ran && !kpis.some(([name]) => name === 'gnbs_connected' || name === 'enbs_connected') ? (
              <div className="kpi">
                <dt>RAN nodes</dt>
                <dd>{formatCount(ran.length)}</dd>
              </div>
            ) : null}
          </dl>
        )}
      </td>
      <td>
        {nf.activeAlarms.length === 0 ? (
          <span className="muted">none</span>
        ) : (
          nf.activeAlarms.map((kind) => (
            <div key={kind}>
              <StatusPill value={kind.replace(/_/g, ' ')} tone="bad" />
            </div>
          ))
        )}
      </td>
    </tr>
  );
}

const SEVERITY_TONE: Record<Alarm['severity'], Tone> = {
  critical: 'bad',
  major: 'bad',
  minor: 'warn',
  warning: 'warn',
};

function AlarmsSection() {
  const [alarms, setAlarms] = useState<Alarm[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [acknowledging, setAcknowledging] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const controllerRef = useRef<AbortController | null>(null);

  const load = useCallback(async (): Promise<void> => {
    controllerRef.current?.abort();
    const controller = new AbortController();
    controllerRef.current = controller;
    try {
      const list = await unwrap(
        api.GET('/api/v1/network/alarms', {
          params: { query: { state: 'open' } },
          signal: controller.signal,
        }),
      );
      setAlarms(list.alarms);
      setError(null);
    } catch (caught) {
      if (!isAbort(caught)) setError(asApiError(caught));
    }
  }, []);

  // Refreshed with the health table; a 404 stops the polling until the operator checks again.
  const missing = is404(error);
  useEffect(() => {
    if (missing) return;
    void load();
    const timer = setInterval(() => void load(), HEALTH_POLL_MS);
    return () => {
      clearInterval(timer);
      controllerRef.current?.abort();
    };
  }, [load, missing, attempt]);

  const acknowledge = async (alarm: Alarm): Promise<void> => {
    setAcknowledging(alarm.id);
    setActionError(null);
    try {
      const updated = await unwrap(
        api.POST('/api/v1/network/alarms/{id}/acknowledge', { params: { path: { id: alarm.id } } }),
      );
      setAlarms((list) => list?.map((a) => (a.id === updated.id ? updated : a)) ?? null);
    } catch (caught) {
      setActionError(asApiError(caught));
    } finally {
      setAcknowledging(null);
    }
  };

  return (
    <section aria-labelledby="alarms-heading">
      <h2 id="alarms-heading">Open alarms</h2>
      {error ? (
        missing ? (
          <Unavailable
            title="Alarms"
            path="/api/v1/network/alarms"
            error={error}
            onRetry={() => {
              setError(null);
              setAttempt((a) => a + 1);
            }}
          />
        ) : (
          <ErrorNotice error={error} title="Could not load the alarms" />
        )
      ) : null}
      {actionError ? <ErrorNotice error={actionError} title="The alarm was not acknowledged" /> : null}
      {alarms && !missing ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Raised</th>
                <th scope="col">Severity</th>
                <th scope="col">Function</th>
                <th scope="col">Alarm</th>
                <th scope="col">Acknowledged</th>
              </tr>
            </thead>
            <tbody>
              {alarms.map((alarm) => (
                <tr key={alarm.id}>
                  <td className="nowrap">
                    <time dateTime={alarm.raisedAt}>{formatDateTime(alarm.raisedAt)}</time>
                  </td>
                  <td>
                    <StatusPill value={alarm.severity} tone={SEVERITY_TONE[alarm.severity]} />
                  </td>
                  <td>{alarm.nf}</td>
                  <td>
                    {alarm.message} <span className="muted">({alarm.kind})</span>
                  </td>
                  <td>
                    {alarm.acknowledgedAt ? (
                      <span className="muted">
                        {alarm.acknowledgedBy ?? 'yes'} ·{' '}
                        <time dateTime={alarm.acknowledgedAt}>{formatDateTime(alarm.acknowledgedAt)}</time>
                      </span>
                    ) : (
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        onClick={() => void acknowledge(alarm)}
                        disabled={acknowledging !== null}
                        aria-busy={acknowledging === alarm.id}
                        aria-label={`Acknowledge ${alarm.kind} on ${alarm.nf}`}
                      >
                        {acknowledging === alarm.id ? 'Acknowledging…' : 'Acknowledge'}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
              {alarms.length === 0 ? (
                <tr>
                  <td colSpan={5} className="empty">
                    No open alarms.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

/**
 * Edit the applied spec's YAML and apply it as the next version (network-admin). The server validates it
 * and stores nothing when it has errors; each error names the path at fault.
 */
function ApplySpecSection({ current, onApplied }: { current: CurrentSpec | null; onApplied: () => void }) {
  // null: follow the current spec (prefilled, and refilled when it changes); a string: the operator's edit.
  const [draft, setDraft] = useState<string | null>(null);
  const [applying, setApplying] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [applied, setApplied] = useState<AppliedSpec | null>(null);
  const yaml = draft ?? current?.sourceYaml ?? '';
  const unchanged = current !== null && yaml === current.sourceYaml;
  // Just applied, and the current spec has not reloaded yet: the draft is already stored.
  const reloading = applied !== null && (current?.version ?? 0) < applied.version;
  const blocked = applying || reloading || unchanged || yaml.trim() === '';

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (blocked) return;
    setApplying(true);
    setError(null);
    setApplied(null);
    try {
      const result = await unwrap(api.POST('/api/v1/network/spec', { body: { yaml } }));
      setApplied(result);
      setDraft(yaml); // what was applied; equal to the new version's sourceYaml once the spec reloads
      onApplied();
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setApplying(false);
    }
  };

  const lines = yaml.split('\n').length;
  return (
    <section className="card form-card apply-card" aria-labelledby="apply-spec-heading">
      <h2 id="apply-spec-heading">Apply a new network spec</h2>
      <form onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor="spec-yaml">
            Network spec (YAML){' '}
            {current ? <span className="optional">starting from version {current.version}</span> : null}
          </label>
          <textarea
            id="spec-yaml"
            className="code-input"
            rows={Math.min(24, Math.max(10, lines))}
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
            required
            aria-describedby="spec-yaml-hint"
            value={yaml}
            onChange={(event) => {
              setDraft(event.target.value);
              setApplied(null);
            }}
          />
          <span id="spec-yaml-hint" className="hint">
            Needs the network-admin role. The server checks the whole spec and stores nothing when it has
            errors; a valid spec becomes the next version and is recorded in the audit log. Open5GS uses it
            once its configuration files are rendered on the host (see below).
            {unchanged ? ' Edit the spec to apply a new version.' : ''}
          </span>
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={blocked} aria-busy={applying}>
            {applying ? 'Applying…' : 'Apply'}
          </button>
          <button
            type="button"
            className="button button-secondary"
            onClick={() => {
              setDraft(null);
              setError(null);
              setApplied(null);
            }}
            disabled={applying || current === null || unchanged}
          >
            {current ? `Revert to version ${current.version}` : 'Revert'}
          </button>
          <div role="status" aria-live="polite">
            {applied ? (
              <p className="success-text">
                Applied as version {applied.version}{' '}
                <code className="muted" title={`SHA-256 ${applied.sha256}`}>
                  {applied.sha256.slice(0, 12)}
                </code>
              </p>
            ) : null}
          </div>
        </div>
        {applied && applied.warnings.length > 0 ? (
          <div className="notice notice-warn">
            <strong className="notice-title">
              Applied with{' '}
              {applied.warnings.length === 1 ? 'a warning' : `${applied.warnings.length} warnings`}
            </strong>
            <ul className="notice-issues">
              {applied.warnings.map((w, i) => (
                <li key={i}>
                  {w.path ? (
                    <>
                      <code>{w.path}</code>:{' '}
                    </>
                  ) : null}
                  {w.message}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {error ? <ErrorNotice error={error} title="The spec was not applied" /> : null}
      </form>
    </section>
  );
}

const RENDER_COMMAND = 'pakawaaz open5gs render --out /etc/open5gs';

/**
 * The Open5GS 2.7 files the current spec renders to, one at a time, with a copy button. No download: the
 * CSP (`default-src 'self'`) allows no blob: URLs, and the CLI writes the files on the host anyway.
 */
function Open5gsConfigSection({ generation }: { generation: number }) {
  const [config, setConfig] = useState<Open5gsConfig | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [attempt, setAttempt] = useState(0);
  const [selected, setSelected] = useState('');
  const [copying, setCopying] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const [copyError, setCopyError] = useState<ApiError | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    unwrap(api.GET('/api/v1/network/open5gs-config', { signal: controller.signal })).then(
      (next) => {
        setConfig(next);
        setLoading(false);
      },
      (caught: unknown) => {
        if (isAbort(caught)) return;
        setConfig(null);
        setError(asApiError(caught));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [attempt, generation]);

  // The chosen file, or the first one (also when a new spec no longer renders the chosen one).
  const file = config?.files.find((f) => f.name === selected) ?? config?.files[0] ?? null;

  const copy = async (): Promise<void> => {
    if (!file || copying) return;
    setCopying(true);
    setCopied(null);
    setCopyError(null);
    try {
      // navigator.clipboard exists only in a secure context (HTTPS or localhost).
      if (!window.isSecureContext || !('clipboard' in navigator))
        throw new Error(
          'This browser offers no clipboard on a page served over plain HTTP: select the text and copy it.',
        );
      await navigator.clipboard.writeText(file.content);
      setCopied(file.name);
    } catch (caught) {
      setCopyError(asApiError(caught));
    } finally {
      setCopying(false);
    }
  };

  return (
    <section className="card form-card" aria-labelledby="open5gs-config-heading">
      <h2 id="open5gs-config-heading">Open5GS configuration</h2>
      <p className="card-lead">
        The Open5GS 2.7 files rendered from the current spec
        {config ? (
          <>
            {' '}
            (version {config.specVersion},{' '}
            <code className="muted" title={`SHA-256 ${config.sha256}`}>
              {config.sha256.slice(0, 12)}
            </code>
            )
          </>
        ) : null}
        . To write them to a host, run there <code className="command">{RENDER_COMMAND}</code>; add{' '}
        <code>--check</code> to see the differences first without writing anything.
      </p>
      {loading && !config ? <p className="muted">Loading…</p> : null}
      {error ? (
        is404(error) ? (
          <Unavailable
            title={error.code === 'not_found' ? 'Open5GS configuration' : 'No network spec applied yet'}
            path="/api/v1/network/open5gs-config"
            error={error}
            onRetry={() => setAttempt((a) => a + 1)}
          />
        ) : (
          <ErrorNotice error={error} title="Could not render the Open5GS configuration" />
        )
      ) : null}
      {config && file ? (
        <>
          <div className="config-toolbar">
            <div className="field field-inline">
              <label htmlFor="open5gs-file">File</label>
              <select
                id="open5gs-file"
                value={file.name}
                onChange={(event) => {
                  setSelected(event.target.value);
                  setCopied(null);
                  setCopyError(null);
                }}
              >
                {config.files.map((f) => (
                  <option key={f.name} value={f.name}>
                    {f.name}
                  </option>
                ))}
              </select>
            </div>
            <button
              type="button"
              className="button button-secondary"
              onClick={() => void copy()}
              disabled={copying}
              aria-busy={copying}
            >
              {copying ? 'Copying…' : 'Copy to clipboard'}
            </button>
            <span className="muted small">
              {config.files.length} {config.files.length === 1 ? 'file' : 'files'}
            </span>
            <div role="status" aria-live="polite">
              {copied ? <p className="success-text">Copied {copied} to the clipboard.</p> : null}
            </div>
          </div>
          {copyError ? <ErrorNotice error={copyError} title={`Could not copy ${file.name}`} /> : null}
          <pre className="config-file" tabIndex={0} role="region" aria-label={`Contents of ${file.name}`}>
            {file.content}
          </pre>
        </>
      ) : null}
      {config && config.files.length === 0 ? <p className="muted">The spec renders no files.</p> : null}
    </section>
  );
}
