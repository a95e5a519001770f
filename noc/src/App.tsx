import { useEffect, useState, type ReactNode } from 'react';
import { api, unwrap } from './api/client';
import { session, useSession } from './auth/session';
import { signOut } from './auth/signOut';
import { ErrorNotice } from './components/ErrorNotice';
import { Shell } from './components/Shell';
import { AccountPage } from './features/account/AccountPage';
import { AuditPage } from './features/audit/AuditPage';
import { AppsPage } from './features/app-store/AppsPage';
import { ReviewsPage } from './features/app-store/ReviewsPage';
import { RolloutDetailPage } from './features/app-store/RolloutDetailPage';
import { RolloutsPage } from './features/app-store/RolloutsPage';
import { StorePoliciesPage } from './features/app-store/StorePoliciesPage';
import { DeviceDetailPage } from './features/devices/DeviceDetailPage';
import { DeviceGroupPage } from './features/devices/DeviceGroupPage';
import { DeviceGroupsPage } from './features/devices/DeviceGroupsPage';
import { DevicesPage } from './features/devices/DevicesPage';
import { EnrolmentPage } from './features/devices/EnrolmentPage';
import { PoliciesPage } from './features/devices/PoliciesPage';
import { HardenedOsPage } from './features/hardened-os/HardenedOsPage';
import { OsRolloutsPage } from './features/hardened-os/OsRolloutsPage';
import { ChatPoliciesPage } from './features/secure-chat/ChatPoliciesPage';
import { InstitutionsPage } from './features/institutions/InstitutionsPage';
import { LoginPage } from './features/login/LoginPage';
import { NetworkPage } from './features/network/NetworkPage';
import { ProfilesPage } from './features/profiles/ProfilesPage';
import { CallsPage } from './features/calls/CallsPage';
import { AccountingPage } from './features/radius/AccountingPage';
import { RolloutPage } from './features/rollout/RolloutPage';
import { AuthLogPage } from './features/radius/AuthLogPage';
import { NasClientsPage } from './features/radius/NasClientsPage';
import { SessionsPage } from './features/sessions/SessionsPage';
import { SimsPage } from './features/sims/SimsPage';
import { SubscriberDetailPage } from './features/subscribers/SubscriberDetailPage';
import { SubscribersPage } from './features/subscribers/SubscribersPage';
import { UserDetailPage } from './features/user-detail/UserDetailPage';
import { UsersPage } from './features/users/UsersPage';
import { SystemPage } from './features/system/SystemPage';
import { DEVICES_OPERATION, homeFor, STORE_OPERATION } from './identity';
import { inApi } from './auth/permissions';
import { Link, navigate, useLocation } from './router';

const ROUTES: Record<string, () => ReactNode> = {
  '/system': () => <SystemPage />,
  '/audit': () => <AuditPage />,
  '/sims': () => <SimsPage />,
  '/subscribers': () => <SubscribersPage />,
  '/subscriber-profiles': () => <ProfilesPage />,
  '/network': () => <NetworkPage />,
  '/users': () => <UsersPage />,
  '/institutions': () => <InstitutionsPage />,
  '/rollout': () => <RolloutPage />,
  '/sessions': () => <SessionsPage />,
  '/account': () => <AccountPage />,
  '/radius/clients': () => <NasClientsPage />,
  '/radius/log': () => <AuthLogPage />,
  '/radius/accounting': () => <AccountingPage />,
  '/calls': () => <CallsPage />,
  '/devices': () => <DevicesPage />,
  '/devices/enrolment': () => <EnrolmentPage />,
  '/devices/policies': () => <PoliciesPage />,
  '/devices/groups': () => <DeviceGroupsPage />,
  '/devices/os-rollouts': () => <OsRolloutsPage />,
  '/hardened-os': () => <HardenedOsPage />,
  '/store/reviews': () => <ReviewsPage />,
  '/store/apps': () => <AppsPage />,
  '/store/rollouts': () => <RolloutsPage />,
  '/store/policies': () => <StorePoliciesPage />,
  '/secure-chat': () => <ChatPoliciesPage />,
};

/** Routes with a path parameter: a pattern and the page it renders. */
const PARAM_ROUTES: readonly [RegExp, (param: string) => ReactNode][] = [
  [/^\/subscribers\/([^/]+)$/, (imsi) => <SubscriberDetailPage key={imsi} imsi={imsi} />],
  [/^\/users\/([^/]+)$/, (id) => <UserDetailPage key={id} id={id} />],
  [/^\/devices\/([^/]+)$/, (id) => <DeviceDetailPage key={id} id={id} />],
  [/^\/devices\/groups\/([^/]+)$/, (id) => <DeviceGroupPage key={id} id={id} />],
  [/^\/store\/rollouts\/([^/]+)$/, (id) => <RolloutDetailPage key={id} id={id} />],
];

function route(pathname: string): ReactNode | null {
  const page = ROUTES[pathname];
  if (page) return page();
  for (const [pattern, render] of PARAM_ROUTES) {
    const match = pattern.exec(pathname);
    if (match?.[1]) {
      try {
        return render(decodeURIComponent(match[1]));
      } catch {
        return null; // a malformed %-escape: not a page
      }
    }
  }
  return null;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function NotFound({ home }: { home: string }) {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        This page does not exist (yet). Go to <Link to={home}>the start page</Link>.
      </p>
    </>
  );
}

/**
 * Load the operator profile when the page was reloaded with a token in sessionStorage. Until it is here no
 * page renders: what an operator may do comes from the profile, so a page drawn before it would show a
 * moment of "not allowed" notes and hide buttons the operator does have.
 */
function useOperatorProfile(
  token: string | null,
  hasOperator: boolean,
): { error: unknown; retry: () => void } {
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!token || hasOperator) return;
    const controller = new AbortController();
    setError(null);
    unwrap(api.GET('/api/v1/auth/me', { signal: controller.signal })).then(
      (operator) => {
        if (session.token() === token) session.setOperator(operator);
      },
      (failure: unknown) => {
        // A 401 already ended the session in the client middleware; other failures are shown with a retry.
        if (!controller.signal.aborted) setError(failure);
      },
    );
    return () => controller.abort();
  }, [token, hasOperator, attempt]);
  return { error, retry: () => setAttempt((n) => n + 1) };
}

function ProfileLoading({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <main className="profile-loading">
      {error ? (
        <>
          <ErrorNotice error={error} title="Could not load your operator profile" onRetry={retry} />
          <button type="button" className="button button-secondary" onClick={() => void signOut()}>
            Sign out
          </button>
        </>
      ) : (
        <p role="status" className="muted">
          Loading your profile…
        </p>
      )}
    </main>
  );
}

export function App() {
  const { pathname, search } = useLocation();
  const { token, operator } = useSession();
  const profile = useOperatorProfile(token, operator !== null);

  if (!token) {
    if (pathname === '/login') return <LoginPage />;
    const next =
      pathname === '/'
        ? ''
        : `?next=${encodeURIComponent(pathname + (search.size ? `?${search.toString()}` : ''))}`;
    return <Redirect to={`/login${next}`} />;
  }
  if (!operator) return <ProfileLoading error={profile.error} retry={profile.retry} />;
  const home = homeFor(operator, inApi(DEVICES_OPERATION), inApi(STORE_OPERATION));
  if (pathname === '/' || pathname === '/login') return <Redirect to={home} />;

  return <Shell>{route(pathname) ?? <NotFound home={home} />}</Shell>;
}
