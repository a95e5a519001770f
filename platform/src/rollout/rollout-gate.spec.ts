import { describe, expect, it } from 'vitest';
import { capabilityNotEnabled, decideRollout } from './rollout-gate.js';
import {
  buildRolloutPlan,
  nextPhase,
  parseRolloutOverrides,
  phaseEnables,
  type RegisteredCapability,
} from './rollout-plan.js';

const REGISTERED: RegisteredCapability[] = [
  { name: 'sim-sign-in', domain: 'identity', description: 'SIM', firstPhase: 'pilot' },
  { name: 'chat', domain: 'secure-chat', description: 'chat', firstPhase: 'federal-ministries' },
  { name: 'calls', domain: 'secure-chat', description: 'calls', firstPhase: 'nationwide' },
];
const PLAN = buildRolloutPlan(REGISTERED);

describe('rollout plan', () => {
  it('enables each capability from its first phase on, cumulatively', () => {
    expect(PLAN.phases).toEqual([
      { phase: 'pilot', introduces: ['sim-sign-in'], enables: ['sim-sign-in'] },
      { phase: 'federal-ministries', introduces: ['chat'], enables: ['sim-sign-in', 'chat'] },
      { phase: 'nationwide', introduces: ['calls'], enables: ['sim-sign-in', 'chat', 'calls'] },
    ]);
    expect(phaseEnables(PLAN, 'pilot', 'chat')).toBe(false);
    expect(phaseEnables(PLAN, 'nationwide', 'chat')).toBe(true);
    expect(phaseEnables(PLAN, 'nationwide', 'teleport')).toBe(false);
  });

  it('takes the operator overrides and refuses one naming no capability', () => {
    const plan = buildRolloutPlan(REGISTERED, { 'sim-sign-in': 'federal-ministries' });
    expect(phaseEnables(plan, 'pilot', 'sim-sign-in')).toBe(false);
    expect(plan.capabilities.find((c) => c.name === 'sim-sign-in')?.overridden).toBe(true);
    expect(() => buildRolloutPlan(REGISTERED, { chatt: 'pilot' })).toThrow(/unknown capabilities chatt/);
  });

  it('parses PAKAWAAZ_ROLLOUT_PLAN and says what is wrong', () => {
    expect(parseRolloutOverrides('')).toEqual({});
    expect(parseRolloutOverrides(' chat=pilot , calls=federal-ministries')).toEqual({
      chat: 'pilot',
      calls: 'federal-ministries',
    });
    expect(parseRolloutOverrides('chat=soon')).toMatch(/"soon" is not a phase/);
    expect(parseRolloutOverrides('chat')).toMatch(/"chat" is not capability=phase/);
    expect(parseRolloutOverrides('chat=pilot=x')).toMatch(/not capability=phase/);
    expect(parseRolloutOverrides('chat=pilot,chat=nationwide')).toMatch(/given twice/);
    // Object.prototype's names are names like any other, not "given twice".
    expect(parseRolloutOverrides('constructor=pilot,tostring=pilot')).toEqual({
      constructor: 'pilot',
      tostring: 'pilot',
    });
  });

  it('orders the phases', () => {
    expect(nextPhase('pilot')).toBe('federal-ministries');
    expect(nextPhase('federal-ministries')).toBe('nationwide');
    expect(nextPhase('nationwide')).toBeNull();
  });
});

describe('rollout gate decision', () => {
  const pilot = { name: 'Ministry of Finance', phase: 'pilot' as const };

  it('lets national principals through and an institution only what its phase enables', () => {
    expect(decideRollout(PLAN, { institutionId: null }, null, 'calls').allowed).toBe(true);
    expect(decideRollout(PLAN, { institutionId: 'f' }, pilot, 'sim-sign-in').allowed).toBe(true);
    expect(decideRollout(PLAN, { institutionId: 'f' }, pilot, 'chat')).toEqual({
      allowed: false,
      capability: 'chat',
      institution: { id: 'f', name: 'Ministry of Finance' },
      phase: 'pilot',
      enabledFrom: 'federal-ministries',
    });
  });

  it('gives an unknown institution nothing', () => {
    expect(decideRollout(PLAN, { institutionId: 'gone' }, null, 'sim-sign-in')).toMatchObject({
      allowed: false,
      phase: null,
    });
  });

  it('refuses with 403 capability_not_enabled naming the capability, the phase and what to do', () => {
    const v = decideRollout(PLAN, { institutionId: 'f' }, pilot, 'calls');
    if (v.allowed) throw new Error('expected a refusal');
    const err = capabilityNotEnabled(v);
    expect(err.status).toBe(403);
    expect(err.code).toBe('capability_not_enabled');
    expect(err.message).toBe(
      'calls is not enabled yet for Ministry of Finance (rollout phase pilot; it starts in phase nationwide). Ask your NOC to move the institution to the next rollout phase.',
    );
    expect(err.details).toEqual({ capability: 'calls', phase: 'pilot', enabledFrom: 'nationwide' });
  });
});
