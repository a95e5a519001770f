import { useEffect, useRef, type ReactNode } from 'react';
import { Link, navigate, useLocation } from '../router';
import { session, useSession } from '../auth/session';

type NavItem = { label: string; path: string; live: boolean };

// Domains as listed in DESIGN.md; each becomes live when its NOC pages land.
const NAV: readonly NavItem[] = [
  { label: 'System', path: '/system', live: true },
  { label: 'Audit log', path: '/audit', live: true },
  { label: 'Core network', path: '/core-network', live: false },
  { label: 'Identity & MFA', path: '/identity', live: false },
  { label: 'Devices', path: '/devices', live: false },
  { label: 'Hardened OS', path: '/hardened-os', live: false },
  { label: 'App store', path: '/app-store', live: false },
  { label: 'Secure chat', path: '/secure-chat', live: false },
];

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

  const signOut = (): void => {
    session.signOut();
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
            {NAV.map((item) => (
              <li key={item.path}>
                {item.live ? (
                  <Link
                    to={item.path}
                    className="nav-item"
                    aria-current={pathname === item.path ? 'page' : undefined}
                  >
                    {item.label}
                  </Link>
                ) : (
                  <span className="nav-item nav-item-disabled" aria-disabled="true">
                    {item.label} <span className="tag">planned</span>
                  </span>
                )}
              </li>
            ))}
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
          <button type="button" className="button button-secondary" onClick={signOut}>
            Sign out
          </button>
        </header>
        <main id="main" ref={mainRef} tabIndex={-1} className="content">
          {children}
        </main>
      </div>
    </div>
  );
}
