import { useMemo } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Form';
import { InstitutionSelect } from '../../components/InstitutionSelect';
import { PageHeader } from '../../components/PageHeader';
import { StatusPill } from '../../components/StatusPill';
import { useApiQuery } from '../../data/hooks';
import { useUrlFilters } from '../../data/url-filters';
import { formatDateTime } from '../../format';
import { Link } from '../../router';
import { useInstitutions } from '../institutions/queries';
import { useDeviceAccess } from './access';
import type { DevicePolicy } from './types';
import { PolicyEditor } from './PolicyEditor';
import { deviceQueries } from './queries';

const NATIONAL = 'national';

/** Whose settings are in force for the scope shown. */
function sourceText(scope: string, source: DevicePolicy['source']): string {
  if (source === 'default') return 'the built-in default (no national policy is stored yet)';
  if (scope === NATIONAL || source === 'institution') return 'its own policy';
  return 'the national policy (it has none of its own)';
}

/** The device policy of the nation or of one institution: read, and edited by a device-admin. */
export function PoliciesPage() {
  const access = useDeviceAccess();
  const { institutions } = useInstitutions();
  const first = access.institutionOperator ? (access.institutionIds[0] ?? NATIONAL) : NATIONAL;
  const defaults = useMemo(() => ({ scope: first }), [first]);
  const { filters, show } = useUrlFilters(defaults);
  const scope = filters.scope || first;
  const policy = useApiQuery(deviceQueries.policy(scope));
  const scopeName =
    scope === NATIONAL ? 'National' : (institutions.find((i) => i.id === scope)?.name ?? 'Institution');
  // The national policy is national infrastructure: an institution's device-admin reads it, edits its own.
  const canEdit = access.manage && !(scope === NATIONAL && access.institutionOperator);
  const p = policy.data;

  return (
    <>
      <p className="breadcrumb">
        <Link to="/devices">← Devices</Link>
      </p>
      <PageHeader
        title="Device policies"
        subtitle={
          <>
            What handsets enforce (screen lock, camera, USB, apps, update window) and what the server checks
            at each check-in (attestation age, patch level, grace). An institution without a policy of its own
            follows the national one.
          </>
        }
        onRefresh={policy.refresh}
        refreshing={policy.fetching}
      />

      <form className="filters" aria-label="Policy scope" onSubmit={(e) => e.preventDefault()}>
        <Field id="policy-scope-kind" label="Policy of" inline>
          <select
            id="policy-scope-kind"
            value={scope === NATIONAL ? NATIONAL : 'institution'}
            onChange={(e) =>
              show(
                {
                  scope:
                    e.target.value === NATIONAL
                      ? NATIONAL
                      : (access.institutionIds[0] ?? institutions[0]?.id ?? NATIONAL),
                },
                policy.refresh,
              )
            }
          >
            <option value={NATIONAL}>The nation</option>
            <option value="institution">An institution</option>
          </select>
        </Field>
        {scope !== NATIONAL ? (
          <Field id="policy-scope" label="Institution" inline>
            <InstitutionSelect
              id="policy-scope"
              value={scope}
              onChange={(id) => show({ scope: id || NATIONAL }, policy.refresh)}
              institutions={
                access.institutionOperator
                  ? institutions.filter((i) => access.institutionIds.includes(i.id))
                  : institutions
              }
            />
          </Field>
        ) : null}
      </form>

      {policy.error ? (
        <ErrorNotice error={policy.error} title="Could not load the policy" onRetry={policy.refresh} />
      ) : null}
      {p === undefined && policy.loading ? <p className="muted">Loading…</p> : null}
      {p ? (
        <>
          <section className="card cards-spaced" aria-labelledby="policy-facts-heading">
            <h2 id="policy-facts-heading">{scopeName}</h2>
            <dl className="facts">
              <dt>In force</dt>
              <dd>
                {sourceText(scope, p.source)}{' '}
                <StatusPill
                  value={`version ${p.version}`}
                  tone={p.source === 'default' ? 'neutral' : 'good'}
                />
              </dd>
              <dt>Last change</dt>
              <dd>
                {p.updatedAt ? formatDateTime(p.updatedAt) : <span className="muted">never</span>}
                {p.updatedBy ? ` by ${p.updatedBy}` : ''}
              </dd>
            </dl>
          </section>
          <PolicyEditor
            key={`${scope}:${p.version}:${p.source}`}
            scope={scope}
            policy={p}
            readOnly={!canEdit}
            onReload={policy.refresh}
          />
        </>
      ) : null}
    </>
  );
}
