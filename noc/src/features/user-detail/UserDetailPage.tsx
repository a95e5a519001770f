import { useQueryClient } from '@tanstack/react-query';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { StatusPill } from '../../components/StatusPill';
import { useApiQuery } from '../../data/hooks';
import { institutionNames, type Institution, type User } from '../../identity';
import { Link } from '../../router';
import { useInstitutions } from '../institutions/queries';
import { userQueries } from '../users/queries';
import { EditUserForm } from './EditUserForm';
import { FactorResetCard } from './FactorResetCard';
import { AccountCard, SignInCard } from './FactsCards';
import { PasswordResetCard } from './PasswordResetCard';
import { useUserActions } from './shared';
import { StatusCard } from './StatusCard';
import { UserSessions } from './UserSessions';

export function UserDetailPage({ id }: { id: string }) {
  const client = useQueryClient();
  const query = useApiQuery(userQueries.detail(id));
  const { institutions } = useInstitutions();
  const user = query.data;
  const notFound = query.error?.status === 404;

  const refresh = (): void => {
    void client.invalidateQueries({ queryKey: userQueries.detail(id).queryKey });
    void client.invalidateQueries({ queryKey: userQueries.sessions(id).queryKey });
  };

  return (
    <>
      <p className="breadcrumb">
        <Link to="/users">← Users</Link>
      </p>
      <PageHeader
        title={user ? user.displayName : notFound ? 'User not found' : 'User'}
        subtitle={user ? <UserPills user={user} /> : null}
        plainSubtitle
        onRefresh={refresh}
        refreshing={query.fetching}
      />

      {query.error ? (
        <ErrorNotice
          error={query.error}
          title={notFound ? 'No user with this id' : 'Could not load the user'}
          onRetry={notFound ? undefined : refresh}
        />
      ) : null}
      {user === undefined && query.loading ? <p className="muted">Loading…</p> : null}
      {user ? <UserDetails user={user} institutions={institutions} /> : null}
    </>
  );
}

function UserPills({ user }: { user: User }) {
  return (
    <>
      <code>{user.username}</code> <StatusPill value={user.kind} />
      <StatusPill value={user.status} tone={user.status === 'active' ? 'good' : 'bad'} />
      {user.passwordClosed ? <StatusPill value="under attack" tone="bad" /> : null}
      {user.mustChangePassword ? <StatusPill value="must change password" tone="warn" /> : null}
      {user.totpEnrolmentRequired ? <StatusPill value="enrols a new authenticator" tone="warn" /> : null}
    </>
  );
}

function UserDetails({ user, institutions }: { user: User; institutions: Institution[] }) {
  const can = useUserActions(user);
  const institution = user.institutionId ? institutionNames(institutions).get(user.institutionId) : undefined;
  return (
    <>
      <div className="cards">
        <AccountCard user={user} institution={institution} />
        <SignInCard user={user} canUnlock={can.unlock} />
        <StatusCard key={`${user.id}-${user.status}`} user={user} canChange={can.changeStatus} />
      </div>
      {can.reason ? (
        <p className="muted permission-note">
          Managing {user.username}: {can.reason}
        </p>
      ) : null}
      {can.edit ? (
        <EditUserForm key={user.id} user={user} institutions={institutions} canGrantRoles={can.grantRoles} />
      ) : null}
      {can.resetPassword || can.resetFactors ? (
        <div className="cards cards-spaced">
          {can.resetPassword ? <PasswordResetCard user={user} /> : null}
          {can.resetFactors ? <FactorResetCard user={user} /> : null}
        </div>
      ) : null}
      <UserSessions user={user} canRevokeAll={can.revokeSessions} canRevokeOne={can.revokeSession} />
    </>
  );
}
