import { useCallback, type ReactNode } from 'react';
import table from 'virtual:pakawaaz/operation-access';
import { decide, type Decision, type Operation } from './access';
import { useSession } from './session';

export type { Operation } from './access';

/**
 * Whether this server's API (the committed openapi.json the NOC was built with) has `operation` at all: pages
 * of a domain whose routes are not merged yet stay out of the menu. A string, not an `Operation`: such a
 * route is not in the generated client either.
 */
export const inApi = (operation: string): boolean => Object.hasOwn(table, operation);

/**
 * `can(operation)` for the signed-in operator, from the token's roles and scope (the profile that
 * `/auth/me` and the sign-in return). Usage: `const { can, why } = usePermissions(); can('POST /api/v1/sims/imports')`.
 */
export function usePermissions(): {
  can: (operation: Operation) => boolean;
  why: (operation: Operation) => string | null;
  decision: (operation: Operation) => Decision;
} {
  const { operator } = useSession();
  const decision = useCallback((operation: Operation) => decide(table, operator, operation), [operator]);
  const can = useCallback((operation: Operation) => decision(operation).allowed, [decision]);
  const why = useCallback(
    (operation: Operation) => {
      const d = decision(operation);
      return d.allowed ? null : d.reason;
    },
    [decision],
  );
  return { can, why, decision };
}

/**
 * Renders `children` only when the operator may call `operation`. `explain` shows the reason instead
 * (for a whole form or card); without it, nothing is rendered (for a button in a row of actions).
 */
export function Permitted({
  operation,
  explain,
  children,
}: {
  operation: Operation;
  /** What the hidden thing is, e.g. "Importing SIMs" → "Importing SIMs needs the sim-operator role." */
  explain?: string;
  children: ReactNode;
}) {
  const { decision } = usePermissions();
  const d = decision(operation);
  if (d.allowed) return <>{children}</>;
  if (!explain) return null;
  return (
    <p className="muted permission-note">
      {explain}: {d.reason.charAt(0).toLowerCase() + d.reason.slice(1)}
    </p>
  );
}
