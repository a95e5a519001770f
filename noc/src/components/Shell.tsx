import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, navigate, useLocation } from '../router';
import { useSession, type OperatorProfile } from '../auth/session';
import { inApi } from '../auth/permissions';
import { signOut } from '../auth/signOut';
import { DEVICE_ROLES, DEVICES_OPERATION, hasAnyRole, isInstitutionOperator, type Role } from '../identity';
import { LabRootBanner } from './LabRootBanner';

/**
 * `national`: a page of national infrastructure, which the server refuses an institution's operators.
 * `roles`: shown only to an operator holding one of them (super-admin holds every role).
 * `api`: shown only when this server's API has that operation (a domain whose routes are merged).
 */
type NavLink = {
  label: string;
  path: string;
  live: boolean;
  national?: boolean;
  roles?: readonly Role[];
};
type NavGroup = { label: string; children: readonly NavLink[]; roles?: readonly Role[]; api?: string };
type NavEntry = NavLink | NavGroup;

// Domains as listed in DESIGN.md; each becomes live when its NOC pages land.
const NAV: readonly NavEntry[] = [
  { label: 'System', path: '/system', live: true, national: true },
  { label: 'Audit log', path: '/audit', live: true, national: true },
  {
    label: 'Core network',
    children: [
      { label: 'SIM inventory', path: '/sims', live: true, national: true },
      { label: 'Subscribers', path: '/subscribers', live: true },
      { label: 'Profiles', path: '/subscriber-profiles', live: true, national: true },
      { label: 'Network', path: '/network', live: true, national: true },
    ],
  },
  {
    label: 'Identity',
    children: [
      { label: 'Users', path: '/users', live: true },
      { label: 'Institutions', path: '/institutions', live: true },
      { label: 'Rollout', path: '/rollout', live: true },
      { label: 'Sessions', path: '/sessions', live: true },
      { label: 'Sign-in log', path: '/radius/log', live: true },
      { label: 'NAS clients', path: '/radius/clients', live: true, national: true },
      { label: 'RADIUS accounting', path: '/radius/accounting', live: true, national: true },
    ],
  },
  {
    label: 'Devices',
    roles: DEVICE_ROLES,
    api: DEVICES_OPERATION,
    children: [
      { label: 'Handsets', path: '/devices', live: true },
      { label: 'Enrolment tokens', path: '/devices/enrolment', live: true, roles: ['device-admin'] },
      { label: 'Policies', path: '/devices/policies', live: true },
    ],
  },
  { label: 'Hardened OS', path: '/hardened-os', live: false },
  { label: 'App store', path: '/app-store', live: false },
  { label: 'Secure chat', path: '/secure-chat', live: false },
];

/**
 * The menu an operator may use: an institution's operator does not see the national pages, and a group or
 * page for some roles only shows to operators holding one. A group whose API is not on this server yet is a
 * planned entry.
 */
function menuFor(operator: OperatorProfile | null): NavEntry[] {
  const national = !isInstitutionOperator(operator);
  const shown = (entry: NavLink | NavGroup): boolean =>
    (!entry.roles || hasAnyRole(operator, entry.roles)) &&
    (national || !('path' in entry) || !entry.national);
  return NAV.flatMap((entry): NavEntry[] => {
    // A domain whose routes this server lacks is still listed, as planned.
    if ('api' in entry && entry.api !== undefined && !inApi(entry.api))
      return [{ label: entry.label, path: entry.children[0]?.path ?? '/', live: false }];
    if (!shown(entry)) return [];
    if (!('children' in entry)) return [entry];
    const children = entry.children.filter(shown);
    return children.length ? [{ ...entry, children }] : [];
  });
}

/** Every page of the menu, to pick the one the address belongs to. */
const NAV_PATHS: readonly string[] = NAV.flatMap((e) =>
  'children' in e ? e.children.map((c) => c.path) : [e.path],
);

/**
 * A section's own page, or one of its detail pages (`/subscribers/001…` highlights Subscribers), unless a
 * longer menu path matches (`/devices/policies` highlights Policies, not Handsets).
 */
const isCurrent = (pathname: string, path: string): boolean => {
  const under = (p: string) => pathname === p || pathname.startsWith(`${p}/`);
  return under(path) && !NAV_PATHS.some((other) => other.length > path.length && under(other));
};

function NavItem({ item, pathname }: { item: NavLink; pathname: string }) {
  if (!item.live)
    return (
      <span className="nav-item nav-item-disabled" aria-disabled="true">
        {item.label} <span className="tag">planned</span>
      </span>
    );
  return (
    <Link
      to={item.path}
      className="nav-item"
      aria-current={isCurrent(pathname, item.path) ? 'page' : undefined}
    >
      {item.label}
    </Link>
  );
}

function NavGroupItem({ group, pathname }: { group: NavGroup; pathname: string }) {
  const labelId = `nav-group-${group.label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <li className="nav-group">
      <span className="nav-group-label" id={labelId}>
        {group.label}
      </span>
      <ul className="nav-list nav-sublist" aria-labelledby={labelId}>
        {group.children.map((child) => (
          <li key={child.path}>
            <NavItem item={child} pathname={pathname} />
          </li>
        ))}
      </ul>
    </li>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  const { operator } = useSession();
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  // After client-side navigation, move focus to the new page so screen readers announce it.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    mainRef.current?.focus();
  }, [pathname]);

  const [signingOut, setSigningOut] = useState(false);

  const leave = async (): Promise<void> => {
    setSigningOut(true);
    await signOut();
    navigate('/login');
  };

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            P
          </span>
          <span>
            Pakawaaz <span className="brand-sub">NOC</span>
          </span>
        </div>
        <nav aria-label="Domains">
          <ul className="nav-list">
            {menuFor(operator).map((entry) =>
              'children' in entry ? (
                <NavGroupItem key={entry.label} group={entry} pathname={pathname} />
              ) : (
                <li key={entry.path}>
                  <NavItem item={entry} pathname={pathname} />
                </li>
              ),
            )}
          </ul>
        </nav>
      </aside>
      <div className="workspace">
        <header className="topbar">
          <div className="operator" aria-label="Signed-in operator">
            {operator ? (
              <>
                <span className="operator-name">{operator.displayName}</span>
                <span className="operator-meta">
                  {operator.username}
                  {operator.roles.length > 0 ? ' · ' : ''}
                  {operator.roles.map((role) => (
                    <span key={role} className="role">
                      {role}
                    </span>
                  ))}
                </span>
              </>
            ) : (
              <span className="operator-meta">Loading operator…</span>
            )}
          </div>
          <nav className="operator-menu" aria-label="Operator menu">
            <Link
              to="/account"
              className="button button-secondary"
              aria-current={pathname === '/account' ? 'page' : undefined}
            >
              My account
            </Link>
            <button
              type="button"
              className="button button-secondary"
              onClick={() => void leave()}
              disabled={signingOut}
              aria-busy={signingOut}
            >
              Sign out
            </button>
          </nav>
        </header>
        {operator ? <MfaBanner operator={operator} onAccountPage={pathname === '/account'} /> : null}
        {operator && !operator.mfaEnrolmentRequired ? (
          <PasskeyBanner operator={operator} onAccountPage={pathname === '/account'} />
        ) : null}
        {operator && operator.roles.length === 0 && operator.withheldRoles.length === 0 ? (
          <aside className="shell-banner notice notice-info" aria-label="No NOC role">
            <p className="notice-message">
              This account holds no NOC role, so the NOC pages will refuse it; My account works. Ask a
              super-admin for a role if you operate the network.
            </p>
          </aside>
        ) : null}
        {operator ? <LabRootBanner /> : null}
        <main id="main" ref={mainRef} tabIndex={-1} className="content">
          {children}
        </main>
      </div>
    </div>
  );
}

/**
 * An operator without a second factor is asked to enrol one (TOTP or a passkey) on every page; with the
 * operator MFA policy on, the server withholds every role until they have, and the banner says so.
 */
function MfaBanner({ operator, onAccountPage }: { operator: OperatorProfile; onAccountPage: boolean }) {
  if (operator.kind !== 'operator') return null;
  if (operator.factors.totp === 'active' || operator.factors.passkeys > 0) return null;
  const where = onAccountPage ? (
    'Set up the authenticator app or add a passkey below.'
  ) : (
    <>
      <Link to="/account#totp">Set up an authenticator app or a passkey in My account</Link>.
    </>
  );
  return operator.mfaEnrolmentRequired ? (
    <aside className="shell-banner notice notice-warn" aria-label="Second factor required">
      <strong className="notice-title">Set up a second factor to use the NOC</strong>
      <p className="notice-message">
        This system requires operators to sign in with a second factor, and your account has none yet: until
        it has, your roles are withheld and only My account works. {where}
      </p>
    </aside>
  ) : (
    <aside className="shell-banner notice notice-info" aria-label="Second factor recommended">
      <strong className="notice-title">Protect your account with a second factor</strong>
      <p className="notice-message">A password alone can be guessed or stolen. {where}</p>
    </aside>
  );
}

/**
 * Super-admin and security-officer need a phishing-resistant sign-in: until the operator has a passkey and
 * signed in with it, the server withholds those roles from the session. Say so on every page.
 */
function PasskeyBanner({ operator, onAccountPage }: { operator: OperatorProfile; onAccountPage: boolean }) {
  const withheld = operator.withheldRoles;
  if (!operator.passkeyRequired && withheld.length === 0) return null;
  const hasPasskey = operator.factors.passkeys > 0;
  return (
    <aside className="shell-banner notice notice-warn" aria-label="Passkey required">
      <strong className="notice-title">
        {withheld.length > 0
          ? `Your ${withheld.join(' and ')} ${withheld.length === 1 ? 'role is' : 'roles are'} withheld in this session`
          : 'Your roles need a passkey'}
      </strong>
      <p className="notice-message">
        {hasPasskey
          ? 'They need a sign-in with your passkey: sign out, then choose “Sign in with a passkey”.'
          : 'They need a sign-in with a passkey, and this account has none yet. '}
        {!hasPasskey ? (
          onAccountPage ? (
            'Add one under Passkeys below, then sign out and sign in with it.'
          ) : (
            <>
              <Link to="/account#passkeys">Register a passkey in My account</Link>, then sign out and sign in
              with it.
            </>
          )
        ) : null}
      </p>
    </aside>
  );
}
