import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { AppError } from '../errors/app-error.js';
import { platformError } from '../errors/platform.errors.js';
import type { PlatformConfig } from '../config/platform.config.js';
import { PLATFORM_CONFIG } from '../http/platform.tokens.js';
import { registeredCapabilities } from './capabilities.js';
import {
  buildRolloutPlan,
  firstPhaseOf,
  phaseEnables,
  type Capability,
  type RolloutPhase,
  type RolloutPlan,
} from './rollout-plan.js';

/** An institution's name and phase, as the domain that owns institutions (identity) knows them. */
export type InstitutionPhase = { readonly name: string; readonly phase: RolloutPhase };

/**
 * Port: the rollout phase of an institution (null when there is no such institution). Identity implements
 * it from its per-node memory of the institution tree, so a check usually costs a map lookup.
 */
export type InstitutionPhases = {
  phaseOf(institutionId: string): InstitutionPhase | null | Promise<InstitutionPhase | null>;
};
export const INSTITUTION_PHASES = Symbol.for('pakawaaz.InstitutionPhases');

/** Whoever uses a capability: a principal, a user row, anything with the institution it belongs to. */
export type RolloutSubject = { readonly institutionId: string | null };

export type RolloutVerdict =
  | { readonly allowed: true; readonly capability: string }
  | {
      readonly allowed: false;
      readonly capability: string;
      readonly institution: { readonly id: string; readonly name: string | null };
      /** The institution's phase (null: no such institution). */
      readonly phase: RolloutPhase | null;
      /** The first phase that enables the capability (null: no domain registered it). */
      readonly enabledFrom: RolloutPhase | null;
    };

/**
 * The decision (pure). Officials and operators without an institution are national: they run the rollout
 * and are not part of it. An institution that does not exist (any more) gets nothing.
 */
export function decideRollout(
  plan: RolloutPlan,
  subject: RolloutSubject,
  found: InstitutionPhase | null,
  capability: string,
): RolloutVerdict {
  if (subject.institutionId === null) return { allowed: true, capability };
  if (found && phaseEnables(plan, found.phase, capability)) return { allowed: true, capability };
  return {
    allowed: false,
    capability,
    institution: { id: subject.institutionId, name: found?.name ?? null },
    phase: found?.phase ?? null,
    enabledFrom: firstPhaseOf(plan, capability),
  };
}

/** The 403 a refused verdict becomes: says which capability, the institution's phase and what to do. */
export function capabilityNotEnabled(v: Extract<RolloutVerdict, { allowed: false }>): AppError {
  const who = v.institution.name ? `${v.institution.name}` : 'your institution';
  const message =
    v.phase === null
      ? `${v.capability} is not enabled: your institution is not known any more.`
      : `${v.capability} is not enabled yet for ${who} (rollout phase ${v.phase}${
          v.enabledFrom ? `; it starts in phase ${v.enabledFrom}` : ''
        }). Ask your NOC to move the institution to the next rollout phase.`;
  return platformError('capability_not_enabled', message, {
    capability: v.capability,
    phase: v.phase,
    enabledFrom: v.enabledFrom,
  });
}

/**
 * The one kernel helper domains call before letting an official use a capability:
 * `await gate.require(principal, 'chat')` (throws 403 `capability_not_enabled`), or `allows`/`check` where
 * the refusal must look like another failure (RADIUS answers every refusal with the same Access-Reject).
 * Provided globally by the platform module; the institution phases come from the `INSTITUTION_PHASES` port,
 * looked up on first use (identity, which implements it, runs on every node).
 */
@Injectable()
export class RolloutGate {
  readonly plan: RolloutPlan;
  private phases: InstitutionPhases | undefined;

  constructor(
    @Inject(PLATFORM_CONFIG) config: PlatformConfig,
    private readonly moduleRef: ModuleRef,
  ) {
    this.plan = buildRolloutPlan(registeredCapabilities(), config.PAKAWAAZ_ROLLOUT_PLAN);
  }

  async check(subject: RolloutSubject, capability: Capability): Promise<RolloutVerdict> {
    if (subject.institutionId === null) return { allowed: true, capability };
    const found = await this.port().phaseOf(subject.institutionId);
    return decideRollout(this.plan, subject, found, capability);
  }

  async allows(subject: RolloutSubject, capability: Capability): Promise<boolean> {
    return (await this.check(subject, capability)).allowed;
  }

  async require(subject: RolloutSubject, capability: Capability): Promise<void> {
    const verdict = await this.check(subject, capability);
    if (!verdict.allowed) throw capabilityNotEnabled(verdict);
  }

  private port(): InstitutionPhases {
    this.phases ??= this.moduleRef.get<InstitutionPhases>(INSTITUTION_PHASES, { strict: false });
    return this.phases;
  }
}
