import { PgDialect, pgTable, text } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import type { Principal } from './principal.js';
import {
  inScope,
  institutionScope,
  NATIONAL_SCOPE,
  requireInScope,
  requireNational,
  scopeCondition,
  scopeIds,
} from './scope.js';

const MINISTRY = 'ministry-interior';
const DEPARTMENT = 'dept-passports';
const OTHER = 'ministry-finance';
const national: Pick<Principal, 'scope'> = { scope: NATIONAL_SCOPE };
const ministry: Pick<Principal, 'scope'> = { scope: institutionScope([MINISTRY, DEPARTMENT]) };
const department: Pick<Principal, 'scope'> = { scope: institutionScope([DEPARTMENT]) };

function thrown(fn: () => void): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an error');
}

describe('institution scope', () => {
  it('a national principal sees every row, national rows (no institution) included', () => {
    for (const id of [MINISTRY, OTHER, null, undefined]) expect(inScope(national, id)).toBe(true);
    expect(scopeIds(national)).toBeNull();
  });

  it('an institution principal sees its institution and descendants, never another one nor national rows', () => {
    expect(inScope(ministry, MINISTRY)).toBe(true);
    expect(inScope(ministry, DEPARTMENT)).toBe(true);
    expect(inScope(ministry, OTHER)).toBe(false);
    expect(inScope(ministry, null)).toBe(false);
    // A department does not see its ministry: scope goes down the tree, never up.
    expect(inScope(department, MINISTRY)).toBe(false);
  });

  it('requireNational refuses institution principals with 403 national_only', () => {
    expect(() => requireNational(national)).not.toThrow();
    const err = thrown(() => requireNational(ministry));
    expect(err.code).toBe('national_only');
    expect(err.status).toBe(403);
  });

  it('requireInScope says out_of_scope, or the resource-specific error when told to hide the row', () => {
    expect(() => requireInScope(ministry, DEPARTMENT)).not.toThrow();
    expect(thrown(() => requireInScope(ministry, OTHER)).code).toBe('out_of_scope');
    const hidden = new AppError('subscriber_not_found', 'No subscriber with this IMSI.', 404);
    expect(thrown(() => requireInScope(ministry, null, () => hidden))).toBe(hidden);
    expect(() => requireInScope(national, OTHER, () => hidden)).not.toThrow();
  });

  it('scopeCondition is no condition for national principals and column IN (ids) otherwise', () => {
    const rows = pgTable('rows', { institutionId: text('institution_id') });
    expect(scopeCondition(national, rows.institutionId)).toBeUndefined();
    const condition = scopeCondition(ministry, rows.institutionId);
    if (!condition) throw new Error('expected a condition');
    const query = new PgDialect().sqlToQuery(condition);
    expect(query.sql).toBe('"rows"."institution_id" in ($1, $2)');
    expect(query.params).toEqual([MINISTRY, DEPARTMENT]);
  });

  it('institutionScope keeps each id once, in order, and refuses an empty scope', () => {
    expect(scopeIds({ scope: institutionScope([MINISTRY, DEPARTMENT, MINISTRY]) })).toEqual([
      MINISTRY,
      DEPARTMENT,
    ]);
    expect(() => institutionScope([])).toThrow(/at least one institution/);
  });
});
