import { FactorSummary } from '../../components/FactorSummary';
import { Pagination } from '../../components/Pagination';
import { ReadFailure } from '../../components/QueryStatus';
import { StatusPill } from '../../components/StatusPill';
import { useApiQuery } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { institutionNames, type Institution, type User } from '../../identity';
import { Link, navigate } from '../../router';
import { filtersUrl, PAGE_SIZE, type Filters } from './filters';
import { userQueries } from './queries';
import { UserFilters } from './UserFilters';
import { TableStatusRow } from '../../components/TableStatusRow';

export function UserList({ filters, institutions }: { filters: Filters; institutions: Institution[] }) {
  const query = useApiQuery(userQueries.list(filters));
  const { data, error } = query;
  const names = institutionNames(institutions);
  const rows = data?.users ?? [];
  const filtered = filters.search !== '' || filters.kind !== '' || filters.status !== '' || filters.attack;

  return (
    <section aria-labelledby="users-heading">
      <h2 id="users-heading">All users</h2>
      <UserFilters key={filtersUrl({ ...filters, page: 1 })} filters={filters} busy={query.fetching} />
      <ReadFailure
        error={error}
        hasData={data !== undefined}
        updatedAt={query.updatedAt}
        title="Could not load the users"
        onRetry={query.refresh}
      />
      <div className="table-wrap">
        <table className="table" aria-busy={query.fetching}>
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Institution</th>
              <th scope="col">Roles</th>
              <th scope="col">Second factor</th>
              <th scope="col">Status</th>
              <th scope="col">Last sign-in</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((u) => (
              <UserRow
                key={u.id}
                user={u}
                institution={u.institutionId ? names.get(u.institutionId) : null}
              />
            ))}
            <TableStatusRow
              columns={8}
              rows={data === undefined ? undefined : rows}
              loading={query.loading}
              empty={filtered ? 'No user matches these filters.' : 'No user yet.'}
            />
          </tbody>
        </table>
      </div>
      <Pagination
        label="User pages"
        noun="users"
        page={filters.page}
        pageSize={PAGE_SIZE}
        total={data?.total ?? 0}
        busy={query.fetching}
        onPage={(page) => navigate(filtersUrl({ ...filters, page }))}
      />
    </section>
  );
}

function UserRow({ user: u, institution }: { user: User; institution: string | null | undefined }) {
  return (
    <tr>
      <td>
        <Link to={`/users/${u.id}`} aria-label={`User ${u.username}, ${u.displayName}`}>
          <code>{u.username}</code>
        </Link>
      </td>
      <td>
        {u.displayName}
        {u.designation ? <div className="muted small">{u.designation}</div> : null}
      </td>
      <td>{u.kind}</td>
      <td>
        {u.institutionId ? (
          (institution ?? <code>{u.institutionId}</code>)
        ) : (
          <span className="muted">national</span>
        )}
      </td>
      <td>
        {u.roles.length ? (
          u.roles.map((role) => (
            <span key={role} className="role">
              {role}
            </span>
          ))
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>
        <FactorSummary factors={u.factors} />
      </td>
      <td>
        <StatusPill value={u.status} tone={u.status === 'active' ? 'good' : 'bad'} />
        {u.passwordClosed ? (
          <>
            {' '}
            <StatusPill value="under attack" tone="bad" />
          </>
        ) : null}
      </td>
      <td className="nowrap">
        {u.lastLoginAt ? (
          <time dateTime={u.lastLoginAt}>{formatDateTime(u.lastLoginAt)}</time>
        ) : (
          <span className="muted">never</span>
        )}
      </td>
    </tr>
  );
}
