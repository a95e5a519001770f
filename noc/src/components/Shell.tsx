import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, navigate, useLocation } from '../router';
import { useSession, type OperatorProfile } from '../auth/session';
import { signOut } from '../auth/signOut';
import { isCurrent, menuFor, type NavGroup, type NavLink } from './nav';
import { LabRootBanner } from './LabRootBanner';

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
