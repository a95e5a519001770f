import { Injectable } from '@nestjs/common';
import { nextPhase, platformError, RolloutGate } from '@pakawaaz/platform';
import type { z } from 'zod';
import type { Ctx } from '../users/access.js';
import { InstitutionsService } from './institutions.service.js';
import type { RolloutPlan } from './rollout.dto.js';

/**
 * The rollout as operators see it: the kernel's plan (what each phase enables) with the institutions in
 * each phase. Institutions are those in the caller's scope (its own and below; every one for a national
 * principal): the phase and users of an institution the directory merely shows are not the caller's business.
 */
@Injectable()
export class RolloutService {
  constructor(
    private readonly institutions: InstitutionsService,
    private readonly gate: RolloutGate,
  ) {}

  async plan(ctx: Ctx): Promise<z.infer<typeof RolloutPlan>> {
    // Operators' business: an official, or an operator whose roles the MFA policy holds back, has no role.
    if (ctx.principal.roles.length === 0)
      throw platformError('forbidden', 'The rollout plan needs an operator role; your account holds none.');
    const institutions = await this.institutions.listInScope(ctx);
    const { phases, capabilities } = this.gate.plan;
    return {
      phases: phases.map((p) => ({
        ...p,
        introduces: [...p.introduces],
        enables: [...p.enables],
        institutions: institutions.filter((i) => i.rolloutPhase === p.phase).length,
      })),
      capabilities: capabilities.map((c) => ({
        name: c.name,
        description: c.description,
        domain: c.domain,
        firstPhase: c.firstPhase,
        overridden: c.overridden,
      })),
      institutions: institutions
        .map((i) => ({
          id: i.id,
          name: i.name,
          kind: i.kind,
          phase: i.rolloutPhase,
          nextPhase: nextPhase(i.rolloutPhase),
          users: i.users,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  }
}
