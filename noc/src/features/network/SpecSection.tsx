import { ErrorNotice } from '../../components/ErrorNotice';
import type { ApiQueryState } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { is404, type CurrentSpec } from './queries';
import { Unavailable } from './Unavailable';

const sliceText = (s: { sst: number; sd?: string | undefined }): string =>
  s.sd ? `SST ${s.sst} / SD ${s.sd}` : `SST ${s.sst}`;

export function SpecSection({ spec: query }: { spec: ApiQueryState<CurrentSpec> }) {
  const { data: current, error, loading, refresh } = query;
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
            onRetry={refresh}
          />
        ) : (
          <ErrorNotice error={error} title="Could not load the network spec" onRetry={refresh} />
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
