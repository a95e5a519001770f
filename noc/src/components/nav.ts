import type { OperatorProfile } from '../auth/session';
import { inApi } from '../auth/permissions';
import {
  DEVICE_ROLES,
  DEVICES_OPERATION,
  hasAnyRole,
  isInstitutionOperator,
  STORE_OPERATION,
  STORE_ROLES,
  type Role,
} from '../identity';

// The NOC's menu as data: which pages exist, for whom, and which one the address belongs to.

/**
 * `national`: a page of national infrastructure, which the server refuses an institution's operators.
 * `roles`: shown only to an operator holding one of them (super-admin holds every role).
 * `api`: shown only when this server's API has that operation (a domain whose routes are merged).
 */
export type NavLink = {
  label: string;
  path: string;
  live: boolean;
  national?: boolean;
  roles?: readonly Role[];
};
export type NavGroup = { label: string; children: readonly NavLink[]; roles?: readonly Role[]; api?: string };
export type NavEntry = NavLink | NavGroup;

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
      // Read-only for an institution's operators (their handsets' counts); GET /api/v1/os/rollouts is institution-scoped.
      { label: 'OS rollouts', path: '/devices/os-rollouts', live: true },
    ],
  },
  { label: 'Hardened OS', path: '/hardened-os', live: true, national: true },
  {
    label: 'App store',
    roles: STORE_ROLES,
    api: STORE_OPERATION,
    children: [
      // GET /api/v1/store/reviews is app-reviewer only; the apps list also serves developers (scoped by org).
      { label: 'Reviews', path: '/store/reviews', live: true, roles: ['app-reviewer'] },
      { label: 'Apps', path: '/store/apps', live: true },
      // The rollout routes are app-reviewer only (developers see their apps, not the handsets' installs).
      { label: 'Rollouts', path: '/store/rollouts', live: true, roles: ['app-reviewer'] },
      // Reviewers read and set store policies (their institution's; the national one nationally).
      { label: 'Policies', path: '/store/policies', live: true, roles: ['app-reviewer'] },
    ],
  },
  { label: 'Secure chat', path: '/secure-chat', live: true, roles: ['chat-admin', 'viewer'] },
  // The calls' status (national: media-admin, viewer) and media hosts (media-admin) are national
  // infrastructure, but the history (media-admin, chat-admin, viewer) is also an institution's: the page
  // shows each part to whoever may read it (CallsPage), so the entry follows the history's roles.
  { label: 'Calls', path: '/calls', live: true, roles: ['media-admin', 'chat-admin', 'viewer'] },
];

/**
 * The menu an operator may use: an institution's operator does not see the national pages, and a group or
 * page for some roles only shows to operators holding one. A group whose API is not on this server yet is a
 * planned entry.
 */
export function menuFor(operator: OperatorProfile | null): NavEntry[] {
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
export const isCurrent = (pathname: string, path: string): boolean => {
  const under = (p: string) => pathname === p || pathname.startsWith(`${p}/`);
  return under(path) && !NAV_PATHS.some((other) => other.length > path.length && under(other));
};
