import { readFileSync } from 'node:fs';
import { ApiError } from '@pakawaaz/api-client';
import { describe, expect, it } from 'vitest';
import { accessTable, decide } from '../../auth/access';
import {
  failureRateText,
  parsePercent,
  rolloutActions,
  widenChoices,
  withAdvice,
  type AppRolloutFigures,
} from './rollout-rules';

const figures = (over: Partial<AppRolloutFigures>): AppRolloutFigures => ({
  targeted: 20,
  queued: 20,
  installed: 18,
  failed: 0,
  crashing: 2,
  attestationFailures: 0,
  attempted: 20,
  failures: 2,
  failureRate: 0.1,
  ...over,
});

describe('app rollout rules', () => {
  it('offers widen, pause and halt on a running rollout, resume on a paused one, nothing once final', () => {
    expect(rolloutActions('running')).toEqual({ widen: true, pause: true, resume: false, halt: true });
    expect(rolloutActions('paused')).toEqual({ widen: true, pause: false, resume: true, halt: true });
    expect(rolloutActions('halted')).toEqual({ widen: false, pause: false, resume: false, halt: false });
    expect(rolloutActions('completed')).toEqual({ widen: false, pause: false, resume: false, halt: false });
  });

  it('widens only up: a share at or below the current one is not a choice', () => {
    expect(widenChoices(10)).toEqual([25, 50, 75, 100]);
    expect(widenChoices(100)).toEqual([]);
    expect(parsePercent('50', 10)).toBe(50);
    expect(parsePercent('10', 10)).toBeNull();
    expect(parsePercent('101')).toBeNull();
    expect(parsePercent('0')).toBeNull();
    expect(parsePercent('12.5')).toBeNull();
    expect(parsePercent(' 7 ')).toBe(7);
  });

  it('weighs the failure rate as the automatic halt does (the README example: 2 of 20 over 5%)', () => {
    expect(failureRateText(figures({}), 0.05, 5)).toEqual({
      text: '10.0% (2 of 20 attempted) over the threshold of 5.0%',
      over: true,
    });
    expect(failureRateText(figures({ failures: 1, failureRate: 0.05 }), 0.05, 5).over).toBe(false);
    // Below minDevices attempted, nothing is weighed yet, whatever the rate.
    const few = failureRateText(figures({ attempted: 2, failures: 2, failureRate: 1 }), 0.05, 5);
    expect(few.over).toBe(false);
    expect(few.text).toContain('weighed from 5 attempted handsets');
    expect(failureRateText(figures({ attempted: 0, failures: 0, failureRate: 0 }), 0.05, 5).text).toBe(
      'no handset attempted yet (threshold 5.0%)',
    );
  });

  it('says what to do about a refusal, keeping the server message, code and request id', () => {
    const e = withAdvice(
      new ApiError(
        409,
        'rollout_exists',
        'gov.pk.mail has a running or paused rollout in this institution.',
        'r-1',
      ),
    );
    expect(e.code).toBe('rollout_exists');
    expect(e.status).toBe(409);
    expect(e.requestId).toBe('r-1');
    expect(e.message).toMatch(/^gov\.pk\.mail has a running .* halt it or let it complete/);
    const other = new ApiError(500, 'internal_error', 'Something failed.', null);
    expect(withAdvice(other)).toBe(other);
  });

  // The codes of the domain's own refusals (not the generic 400/401/403 every route has).
  it('every refusal the rollout routes document (404, 409, 503) has advice', () => {
    type Reply = { content?: { 'application/json'?: { schema?: { allOf?: { properties?: unknown }[] } } } };
    const doc = JSON.parse(readFileSync(new URL('../../../../openapi.json', import.meta.url), 'utf8')) as {
      paths: Record<string, Record<string, { responses: Record<string, Reply> }>>;
    };
    const codes = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths))
      if (path.startsWith('/api/v1/store/rollouts') || path === '/api/v1/store/versions/{id}/kill')
        for (const op of Object.values(ops))
          for (const [status, reply] of Object.entries(op.responses))
            if (['404', '409', '503'].includes(status))
              for (const part of reply.content?.['application/json']?.schema?.allOf ?? []) {
                const code = (part.properties as { code?: { enum?: string[] } } | undefined)?.code;
                for (const c of code?.enum ?? []) codes.add(c);
              }
    expect(codes).toContain('rollout_exists');
    for (const code of codes)
      expect(withAdvice(new ApiError(409, code, 'Refused.', null)).message, code).not.toBe('Refused.');
  });

  it('the Rollouts menu entry is for reviewers: the server refuses developers the rollout routes', () => {
    const table = accessTable(
      JSON.parse(readFileSync(new URL('../../../../openapi.json', import.meta.url), 'utf8')),
    );
    const reviewer = { roles: ['app-reviewer'], scope: { kind: 'institution' as const } };
    const developer = { roles: ['developer'], scope: { kind: 'national' as const } };
    for (const op of ['GET /api/v1/store/rollouts', 'POST /api/v1/store/versions/{id}/kill'] as const) {
      expect(decide(table, reviewer, op).allowed, op).toBe(true);
      expect(decide(table, developer, op).allowed, op).toBe(false);
    }
  });
});
