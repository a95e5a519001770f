import { useEffect, type ReactNode } from 'react';
import { api, asApiError, unwrap } from './api/client';
import { session, useSession } from './auth/session';
import { Shell } from './components/Shell';
import { AccountPage } from './features/account/AccountPage';
import { AuditPage } from './features/audit/AuditPage';
import { InstitutionsPage } from './features/institutions/InstitutionsPage';
import { LoginPage } from './features/login/LoginPage';
import { NetworkPage } from './features/network/NetworkPage';
import { ProfilesPage } from './features/profiles/ProfilesPage';
import { AuthLogPage } from './features/radius/AuthLogPage';
import { NasClientsPage } from './features/radius/NasClientsPage';
import { SessionsPage } from './features/sessions/SessionsPage';
import { SimsPage } from './features/sims/SimsPage';
import { SubscriberDetailPage } from './features/subscribers/SubscriberDetailPage';
import { SubscribersPage } from './features/subscribers/SubscribersPage';
import { UserDetailPage } from './features/user-detail/UserDetailPage';
import { UsersPage } from './features/users/UsersPage';
import { SystemPage } from './features/system/SystemPage';
import { homeFor } from './identity';
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
  '/sessions': () => <SessionsPage />,
  '/account': () => <AccountPage />,
  '/radius/clients': () => <NasClientsPage />,
  '/radius/log': () => <AuthLogPage />,
};

/** Routes with a path parameter: a pattern and the page it renders. */
const PARAM_ROUTES: readonly [RegExp, (param: string) => ReactNode][] = [
  [/^\/subscribers\/([^/]+)$/, (imsi) => <SubscriberDetailPage key={imsi} imsi={imsi} />],
  [/^\/users\/([^/]+)$/, (id) => <UserDetailPage key={id} id={id} />],
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

/** Load the operator profile when the page was reloaded with a token in sessionStorage. */
function useOperatorProfile(token: string | null, hasOperator: boolean): void {
  useEffect(() => {
    if (!token || hasOperator) return;
    const controller = new AbortController();
    unwrap(api.GET('/api/v1/auth/me', { signal: controller.signal })).then(
      (operator) => {
        if (session.token() === token) session.setOperator(operator);
      },
      (error: unknown) => {
        // A 401 already ended the session in the client middleware; other failures leave the shell usable.
        if (!controller.signal.aborted)
          console.warn('Could not load the operator profile:', asApiError(error).message);
      },
    );
    return () => controller.abort();
  }, [token, hasOperator]);
}

export function App() {
  const { pathname, search } = useLocation();
  const { token, operator } = useSession();
  useOperatorProfile(token, operator !== null);

  if (!token) {
    if (pathname === '/login') return <LoginPage />;
    const next =
      pathname === '/'
        ? ''
        : `?next=${encodeURIComponent(pathname + (search.size ? `?${search.toString()}` : ''))}`;
    return <Redirect to={`/login${next}`} />;
  }
  const home = homeFor(operator);
  if (pathname === '/' || pathname === '/login') return <Redirect to={home} />;

  return <Shell>{route(pathname) ?? <NotFound home={home} />}</Shell>;
}
