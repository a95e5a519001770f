import type { OperatorProfile } from '../../auth/session';
import { StatusPill } from '../../components/StatusPill';
import { formatDateTime } from '../../format';
import { acrTone, describeAmr } from '../../identity';
import { useInstitutions } from '../institutions/queries';

function RoleList({ roles }: { roles: readonly string[] }) {
  if (roles.length === 0) return <span className="muted">none</span>;
  return (
    <>
      {roles.map((role) => (
        <span key={role} className="role">
          {role}
        </span>
      ))}
    </>
  );
}

export function ProfileCard({ operator }: { operator: OperatorProfile }) {
  const { institutions } = useInstitutions();
  const institution = institutions.find((i) => i.id === operator.institutionId);
  return (
    <section className="card" aria-labelledby="card-profile">
      <h2 id="card-profile">Profile</h2>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{operator.displayName}</dd>
        <dt>Username</dt>
        <dd>
          <code>{operator.username}</code>
        </dd>
        <dt>Kind</dt>
        <dd>{operator.kind}</dd>
        <dt>Designation</dt>
        <dd>{operator.designation ?? <span className="muted">—</span>}</dd>
        <dt>Institution</dt>
        <dd className="break">
          {operator.institutionId ? (
            (institution?.name ?? <code>{operator.institutionId}</code>)
          ) : (
            <span className="muted">national</span>
          )}
        </dd>
        <dt>Last sign-in</dt>
        <dd>
          {operator.lastLoginAt ? (
            <time dateTime={operator.lastLoginAt}>{formatDateTime(operator.lastLoginAt)}</time>
          ) : (
            <span className="muted">never</span>
          )}
        </dd>
      </dl>
    </section>
  );
}

export function ThisSessionCard({ operator }: { operator: OperatorProfile }) {
  return (
    <section className="card" aria-labelledby="card-this-session">
      <h2 id="card-this-session">This session</h2>
      <dl className="facts">
        <dt>Signed in with</dt>
        <dd>{describeAmr(operator.amr)}</dd>
        <dt>Assurance</dt>
        <dd>
          {operator.acr ? (
            <StatusPill
              value={operator.acr}
              tone={acrTone(operator.acr)}
              label="Authenticator assurance level"
            />
          ) : (
            <span className="muted">—</span>
          )}
        </dd>
        <dt>Roles</dt>
        <dd>
          <RoleList roles={operator.roles} />
        </dd>
        {operator.withheldRoles.length > 0 ? (
          <>
            <dt>Withheld</dt>
            <dd>
              <RoleList roles={operator.withheldRoles} />
              <span className="hint"> until you sign in with a passkey</span>
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}
