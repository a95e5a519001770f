import type { paths } from '../api/schema';

// Who may call which API operation, as the server enforces it. The table is derived from openapi.json's
// `x-pakawaaz-scope` / `x-pakawaaz-roles` at build time (vite.config.ts serves it as a virtual module), the
// same data the server's AuthGuard metadata writes, so the NOC's buttons and the server cannot drift.

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
type OperationsOf<P extends keyof paths> = {
  [M in Method]: [NonNullable<paths[P][M]>] extends [never] ? never : `${Uppercase<M>} ${P & string}`;
}[Method];

/** `POST /api/v1/sims/imports`: an operation of the generated client, checked by the compiler. */
export type Operation = { [P in keyof paths]: OperationsOf<P> }[keyof paths];

/** `device`: a handset's own route (its device certificate), never an operator's. */
export type RouteScope = 'public' | 'self' | 'institution' | 'national' | 'device';
export type OperationAccess = { scope: RouteScope; roles: readonly string[] };
export type AccessTable = Readonly<Record<string, OperationAccess>>;

const METHODS: readonly Method[] = ['get', 'put', 'post', 'delete', 'patch'];
const SCOPES: readonly string[] = ['public', 'self', 'institution', 'national', 'device'];

/** The access table from an OpenAPI document (run by the Vite plugin, and by the unit test). */
export function accessTable(document: unknown): Record<string, OperationAccess> {
  const table: Record<string, OperationAccess> = {};
  const docPaths = (document as { paths?: Record<string, Record<string, unknown>> }).paths ?? {};
  for (const [path, item] of Object.entries(docPaths)) {
    for (const method of METHODS) {
      const op = item[method] as Record<string, unknown> | undefined;
      if (!op) continue;
      const scope = op['x-pakawaaz-scope'];
      const roles = op['x-pakawaaz-roles'] ?? [];
      if (typeof scope !== 'string' || !SCOPES.includes(scope) || !Array.isArray(roles))
        throw new Error(`openapi.json: ${method.toUpperCase()} ${path} has no valid x-pakawaaz-scope/roles`);
      table[`${method.toUpperCase()} ${path}`] = {
        scope: scope as RouteScope,
        roles: roles.filter((r): r is string => typeof r === 'string'),
      };
    }
  }
  return table;
}

/** The parts of the signed-in profile that authorization reads. */
export type Caller = { roles: readonly string[]; scope: { kind: 'national' | 'institution' } };

export type Decision = { allowed: true } | { allowed: false; reason: string };

const ALLOWED: Decision = { allowed: true };

/**
 * Mirrors the server's AuthGuard for one operation: scope first (a national operation refuses an
 * institution's operator), then roles (empty: any signed-in caller; super-admin is listed where it passes).
 * Row-level checks (an institution's own rows) stay the server's: this only hides what would surely be 403.
 */
export function decide(table: AccessTable, caller: Caller | null, operation: Operation): Decision {
  const access = table[operation];
  if (!access) return { allowed: false, reason: `${operation} is not in this server's API.` };
  if (access.scope === 'public') return ALLOWED;
  // A handset's own route: its device certificate authenticates it, never an operator's sign-in.
  if (access.scope === 'device')
    return { allowed: false, reason: 'Only an enrolled handset may do this (device certificate).' };
  if (!caller) return { allowed: false, reason: 'Your profile is still loading.' };
  if (access.scope === 'national' && caller.scope.kind === 'institution')
    return { allowed: false, reason: 'Only national operators may do this.' };
  if (access.roles.length === 0 || access.roles.some((role) => caller.roles.includes(role))) return ALLOWED;
  const needed = access.roles.filter((r) => r !== 'super-admin');
  return {
    allowed: false,
    reason: `Needs the ${needed.length ? `${needed.join(' or ')} role` : 'super-admin role'}.`,
  };
}
