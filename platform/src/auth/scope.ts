import { inArray, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { AppError } from '../errors/app-error.js';
import { platformError } from '../errors/platform.errors.js';
import type { Principal, PrincipalScope } from './principal.js';

/*
 * Institution scope, applied by services and repositories. The guard refuses institution principals on
 * `national` routes; on `institution` routes these helpers keep them to their rows. Every domain uses the
 * same few functions, so a scope rule is never written twice.
 */

export const NATIONAL_SCOPE: PrincipalScope = Object.freeze({ kind: 'national' });

/** An institution scope over these ids (the principal's institution first, then its descendants). */
export function institutionScope(ids: Iterable<string>): PrincipalScope {
  const institutionIds = Object.freeze([...new Set(ids)]);
  if (institutionIds.length === 0) throw new Error('an institution scope needs at least one institution');
  return Object.freeze({ kind: 'institution', institutionIds });
}

export function isNational(principal: Pick<Principal, 'scope'>): boolean {
  return principal.scope.kind === 'national';
}

/** The institution ids a principal is limited to, or null when it is national (no limit). */
export function scopeIds(principal: Pick<Principal, 'scope'>): readonly string[] | null {
  return principal.scope.kind === 'national' ? null : principal.scope.institutionIds;
}

/** Whether a row of this institution is visible to the principal; national rows (null) only to national ones. */
export function inScope(
  principal: Pick<Principal, 'scope'>,
  institutionId: string | null | undefined,
): boolean {
  const ids = scopeIds(principal);
  return ids === null || (institutionId != null && ids.includes(institutionId));
}

/** First line of a service method that acts on national infrastructure. */
export function requireNational(principal: Pick<Principal, 'scope'>): void {
  if (!isNational(principal))
    throw platformError(
      'national_only',
      'This acts on national infrastructure: only operators and tokens without an institution may use it.',
    );
}

/**
 * The row (of `institutionId`) must be in the principal's scope. Pass `hide` — the resource's own
 * not-found error — wherever saying "it exists, but not for you" would leak more than saying nothing.
 */
export function requireInScope(
  principal: Pick<Principal, 'scope'>,
  institutionId: string | null | undefined,
  hide?: () => AppError,
): void {
  if (inScope(principal, institutionId)) return;
  throw hide ? hide() : platformError('out_of_scope', 'This belongs to another institution than yours.');
}

/**
 * The drizzle condition that keeps a query to the principal's rows: undefined for a national principal
 * (`and(undefined, …)` drops it), `column IN (ids)` otherwise — rows with a null institution never match.
 */
export function scopeCondition(principal: Pick<Principal, 'scope'>, column: SQLWrapper): SQL | undefined {
  const ids = scopeIds(principal);
  return ids === null ? undefined : inArray(column, [...ids]);
}
