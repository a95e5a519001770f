import { useState } from 'react';
import { institutionTree } from '../../components/InstitutionSelect';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Permitted, usePermissions } from '../../auth/permissions';
import { OpenFormButton, PageHeader } from '../../components/PageHeader';
import { formatCount } from '../../format';
import { institutionNames } from '../../identity';
import { CreateInstitutionForm } from './CreateInstitutionForm';
import { InstitutionRow } from './InstitutionRow';
import { useInstitutions } from './queries';

export function InstitutionsPage() {
  const { can } = usePermissions();
  const { institutions, loaded, error, fetching, refresh } = useInstitutions();
  const [creating, setCreating] = useState(false);
  const canCreate = can('POST /api/v1/institutions');
  const canEdit = can('PATCH /api/v1/institutions/{id}');
  const canDelete = can('DELETE /api/v1/institutions/{id}');
  const tree = institutionTree(institutions);
  const names = institutionNames(institutions);

  return (
    <>
      <PageHeader
        title="Institutions"
        subtitle={
          <>
            Ministries and their departments: where officials belong, how far the rollout has reached them and
            whom their directory shows.
          </>
        }
        onRefresh={refresh}
        refreshing={fetching}
      >
        {canCreate ? (
          <OpenFormButton open={creating} onOpen={() => setCreating(true)}>
            Add an institution
          </OpenFormButton>
        ) : null}
      </PageHeader>
      <Permitted operation="PATCH /api/v1/institutions/{id}" explain="Changing institutions">
        {null}
      </Permitted>

      {error ? <ErrorNotice error={error} title="Could not load the institutions" onRetry={refresh} /> : null}

      {creating && canCreate ? (
        <CreateInstitutionForm institutions={institutions} onClose={() => setCreating(false)} />
      ) : null}

      <section aria-labelledby="institutions-heading">
        <h2 id="institutions-heading">All institutions</h2>
        <div className="table-wrap">
          <table className="table" aria-busy={!loaded}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Ministry</th>
                <th scope="col">Rollout phase</th>
                <th scope="col">Directory shows</th>
                <th scope="col" className="num">
                  Users
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tree.map(({ institution, depth }) => (
                <InstitutionRow
                  key={`${institution.id}-${institution.updatedAt}`}
                  institution={institution}
                  depth={depth}
                  parentName={institution.parentId ? (names.get(institution.parentId) ?? null) : null}
                  hasDepartments={institutions.some((i) => i.parentId === institution.id)}
                  canEdit={canEdit}
                  canDelete={canDelete}
                />
              ))}
              {loaded && institutions.length === 0 ? (
                <tr>
                  <td colSpan={7} className="empty">
                    No institution yet.
                  </td>
                </tr>
              ) : null}
              {!loaded && !error ? (
                <tr>
                  <td colSpan={7} className="empty">
                    Loading…
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
        {loaded ? (
          <p className="table-footer muted">
            {formatCount(institutions.length)} {institutions.length === 1 ? 'institution' : 'institutions'}
          </p>
        ) : null}
      </section>
    </>
  );
}
