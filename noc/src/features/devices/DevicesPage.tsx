import { keepPreviousData, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { inApi } from '../../auth/permissions';
import { Field } from '../../components/Form';
import { InstitutionSelect } from '../../components/InstitutionSelect';
import { PageHeader } from '../../components/PageHeader';
import { Pagination } from '../../components/Pagination';
import { ReadFailure } from '../../components/QueryStatus';
import { useApiQuery } from '../../data/hooks';
import { useUrlFilters } from '../../data/url-filters';
import { Link } from '../../router';
import { useInstitutions } from '../institutions/queries';
import { useDeviceAccess } from './access';
import { FleetOverview } from './FleetOverview';
import { OsDistribution } from './OsDistribution';
import {
  Ago,
  COMPLIANCE,
  COMPLIANCE_STATES,
  CompliancePill,
  DEVICE_STATE,
  DEVICE_STATES,
  DeviceStatePill,
  InstitutionLabel,
  OfficialLabel,
} from './labels';
import {
  DEVICES_KEY,
  deviceQueries,
  NO_DEVICE_FILTERS,
  PAGE_SIZE,
  pageOf,
  type DeviceFilters,
} from './queries';
import { TableStatusRow } from '../../components/TableStatusRow';

const COLUMNS = 8;

/** Handsets: the fleet's counts, then every device the operator may see, searchable and filtered. */
export function DevicesPage() {
  const client = useQueryClient();
  const access = useDeviceAccess();
  const { filters, draft, setDraft, show: showFilters, href } = useUrlFilters(NO_DEVICE_FILTERS);
  const list = useApiQuery({ ...deviceQueries.list(filters), placeholderData: keepPreviousData });
  // The fleet counts come from a route of their own; a server without it shows the list alone.
  const hasSummary = inApi('GET /api/v1/devices/summary');
  const summary = useApiQuery(deviceQueries.summary(), { enabled: hasSummary });
  const hasOs = inApi('GET /api/v1/devices/os');
  const os = useApiQuery(deviceQueries.os(), { enabled: hasOs });
  const { institutions } = useInstitutions();
  const rows = list.data?.devices;
  const filtered = Object.entries(filters).some(
    ([k, v]) => k !== 'page' && v !== NO_DEVICE_FILTERS[k as keyof DeviceFilters],
  );

  const show = (next: DeviceFilters): void => showFilters({ ...next, page: '1' }, list.refresh);
  const apply = (event: FormEvent): void => {
    event.preventDefault();
    show({ ...draft, q: draft.q.trim() });
  };
  /** Filters applied at once (selects): the text search keeps what is typed. */
  const choose = (change: Partial<DeviceFilters>): void => show({ ...filters, ...change, q: draft.q.trim() });
  const models = (summary.data?.byModel ?? []).flatMap((m) => (m.model ? [m.model] : [])).sort();
  const patchLevels = (summary.data?.byPatchLevel ?? [])
    .flatMap((p) => (p.patchLevel ? [p.patchLevel] : []))
    .sort()
    .reverse();

  return (
    <>
      <PageHeader
        title="Devices"
        subtitle={
          <>
            Issued handsets, proven genuine by hardware key attestation: their compliance with the policy,
            last check-in and state.
          </>
        }
        onRefresh={() => void client.invalidateQueries({ queryKey: DEVICES_KEY })}
        refreshing={list.fetching}
      >
        {access.manage ? (
          <Link to="/devices/enrolment" className="button button-primary">
            Enrol a handset
          </Link>
        ) : null}
        <Link to="/devices/policies" className="button button-secondary">
          Policies
        </Link>
        <Link to="/devices/groups" className="button button-secondary">
          Groups
        </Link>
      </PageHeader>

      {hasSummary ? (
        <FleetOverview
          summary={summary.data}
          error={summary.error}
          onRetry={summary.refresh}
          href={(f) => href({ ...NO_DEVICE_FILTERS, ...f })}
        />
      ) : null}
      {hasOs ? <OsDistribution view={os.data} error={os.error} onRetry={os.refresh} /> : null}

      <section aria-labelledby="devices-heading">
        <h2 id="devices-heading">All devices</h2>
        <form className="filters" role="search" aria-label="Devices" onSubmit={apply}>
          <Field id="device-q" label="Official, IMEI or serial" inline grow>
            <input
              id="device-q"
              type="search"
              autoComplete="off"
              spellCheck={false}
              maxLength={100}
              value={draft.q}
              onChange={(e) => setDraft({ ...draft, q: e.target.value })}
            />
          </Field>
          {access.institutionOperator && access.institutionIds.length <= 1 ? null : (
            <Field id="device-institution" label="Institution" inline>
              <InstitutionSelect
                id="device-institution"
                value={draft.institution}
                onChange={(institution) => choose({ institution })}
                institutions={institutions}
                noneLabel="All"
              />
            </Field>
          )}
          <Field id="device-compliance" label="Compliance" inline>
            <select
              id="device-compliance"
              value={draft.compliance}
              onChange={(e) => choose({ compliance: e.target.value })}
            >
              <option value="">All</option>
              {COMPLIANCE_STATES.map((c) => (
                <option key={c} value={c}>
                  {COMPLIANCE[c].label}
                </option>
              ))}
            </select>
          </Field>
          <Field id="device-model" label="Model" inline>
            <select id="device-model" value={draft.model} onChange={(e) => choose({ model: e.target.value })}>
              <option value="">All</option>
              {models.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
              {draft.model && !models.includes(draft.model) ? (
                <option value={draft.model}>{draft.model}</option>
              ) : null}
            </select>
          </Field>
          <Field id="device-patch" label="Patch level" inline>
            <select
              id="device-patch"
              value={draft.patchLevel}
              onChange={(e) => choose({ patchLevel: e.target.value })}
            >
              <option value="">All</option>
              {patchLevels.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
              {draft.patchLevel && !patchLevels.includes(draft.patchLevel) ? (
                <option value={draft.patchLevel}>{draft.patchLevel}</option>
              ) : null}
            </select>
          </Field>
          <Field id="device-state" label="State" inline>
            <select id="device-state" value={draft.state} onChange={(e) => choose({ state: e.target.value })}>
              <option value="">All</option>
              {DEVICE_STATES.map((s) => (
                <option key={s} value={s}>
                  {DEVICE_STATE[s].label}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" className="button button-secondary" disabled={list.fetching}>
            Search
          </button>
          {filtered ? (
            <Link to={href(NO_DEVICE_FILTERS)} className="button button-link">
              Clear filters
            </Link>
          ) : null}
        </form>

        <ReadFailure
          error={list.error}
          hasData={list.data !== undefined}
          updatedAt={list.updatedAt}
          title="Could not load the devices"
          onRetry={list.refresh}
        />
        <div className="table-wrap">
          <table className="table" aria-busy={list.fetching}>
            <caption className="visually-hidden">Devices</caption>
            <thead>
              <tr>
                <th scope="col">Official</th>
                <th scope="col">Institution</th>
                <th scope="col">Model</th>
                <th scope="col">Patch level</th>
                <th scope="col">Compliance</th>
                <th scope="col">Last check-in</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span className="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(rows ?? []).map((d) => (
                <tr key={d.id}>
                  <td>
                    <OfficialLabel official={d.official} />
                  </td>
                  <td>
                    <InstitutionLabel id={d.institutionId} name={d.institutionName} />
                  </td>
                  <td>
                    {d.model ?? <span className="muted">unknown</span>}
                    {d.serial ? (
                      <>
                        {' '}
                        <code className="muted small">{d.serial}</code>
                      </>
                    ) : null}
                  </td>
                  <td>{d.patchLevel ?? <span className="muted">—</span>}</td>
                  <td>
                    <CompliancePill state={d.compliance} reasons={d.complianceReasons} />
                  </td>
                  <td className="nowrap">
                    <Ago at={d.lastCheckInAt} />
                  </td>
                  <td>
                    <DeviceStatePill state={d.state} />
                  </td>
                  <td>
                    <Link
                      to={`/devices/${encodeURIComponent(d.id)}`}
                      aria-label={`Device of ${d.official.displayName ?? d.official.username ?? 'unknown account'}${d.model ? `, ${d.model}` : ''}`}
                    >
                      Details
                    </Link>
                  </td>
                </tr>
              ))}
              <TableStatusRow
                columns={COLUMNS}
                rows={rows}
                loading={list.loading}
                empty={
                  filtered ? (
                    'No device matches these filters.'
                  ) : (
                    <>
                      No handset is enrolled yet.
                      {access.manage ? (
                        <>
                          {' '}
                          <Link to="/devices/enrolment">Create an enrolment token</Link> for an official.
                        </>
                      ) : null}
                    </>
                  )
                }
              />
            </tbody>
          </table>
        </div>
        <Pagination
          label="Device pages"
          noun="devices"
          page={pageOf(filters)}
          pageSize={PAGE_SIZE}
          total={list.data?.total ?? 0}
          busy={list.fetching}
          onPage={(n) => showFilters({ ...filters, page: String(n) }, list.refresh)}
        />
      </section>
    </>
  );
}
