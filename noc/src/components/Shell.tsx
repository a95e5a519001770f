import { useEffect, useRef, type ReactNode } from 'react';
import { Link, navigate, useLocation } from '../router';
import { session, useSession } from '../auth/session';

type NavLink = { label: string; path: string; live: boolean };
type NavGroup = { label: string; children: readonly NavLink[] };
type NavEntry = NavLink | NavGroup;

// Domains as listed in DESIGN.md; each becomes live when its NOC pages land.
const NAV: readonly NavEntry[] = [
  { label: 'System', path: '/system', live: true },
  { label: 'Audit log', path: '/audit', live: true },
  {
    label: 'Core network',
    children: [
      { label: 'SIM inventory', path: '/sims', live: true },
      { label: 'Subscribers', path: '/subscribers', live: true },
      { label: 'Profiles', path: '/subscriber-profiles', live: true },
      { label: 'Network', path: '/network', live: true },
    ],
  },
  { label: 'Identity & MFA', path: '/identity', live: false },
  { label: 'Devices', path: '/devices', live: false },
  { label: 'Hardened OS', path: '/hardened-os', live: false },
  { label: 'App store', path: '/app-store', live: false },
  { label: 'Secure chat', path: '/secure-chat', live: false },
];

/** A section's own page, or one of its detail pages (`/subscribers/001…` highlights Subscribers). */
const isCurrent = (pathname: string, path: string): boolean =>
  pathname === path || pathname.startsWith(`${path}/`);

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
            {NAV.map((entry) =>
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
