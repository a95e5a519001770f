import { Inject, Injectable } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  inScope,
  type DatabaseHandle,
  type Db,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { appStoreError } from '../app-store.errors.js';
import type { StorePolicy } from './publishing-rules.js';
import type { StorePolicyInput } from './publishing.dto.js';
import { PublishingRepository } from './publishing.repository.js';
import { storePolicyInForce, storePolicyWeakerThanNational } from './store-floors.js';

const NATIONAL = 'national';

/**
 * Store policies: the national one (vendors' apps, and the default of every institution) and each
 * institution's own. An institution's reviewer reads and sets its institution's; the national one is set
 * nationally only. The national policy is a floor: an institution's may be stricter, never weaker (422
 * policy_below_national_floor), and uploads are checked against the institution's raised to the national
 * policy in force — a national policy tightened later binds every institution at once.
 */
@Injectable()
export class PoliciesService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly repo: PublishingRepository,
    private readonly audit: AuditService,
  ) {}

  /** The scope's own policy (else the national one, inherited) and the effective policy its uploads meet. */
  async get(scope: string, by: Principal) {
    this.requireScope(scope, by, 'read');
    const own = (await this.repo.policyRow(scope))?.policy;
    const national = scope === NATIONAL ? own : (await this.repo.policyRow(NATIONAL))?.policy;
    const effective = storePolicyInForce(scope === NATIONAL ? undefined : own, national);
    if (own) return { scope, policy: own, inherited: false, effective };
    return { scope, policy: effective, inherited: true, effective };
  }

  async set(scope: string, policy: z.output<typeof StorePolicyInput>, by: Principal, requestId: string) {
    this.requireScope(scope, by, 'write');
    const national = await this.database.db.transaction(async (tx) => {
      const floor = scope === NATIONAL ? policy : await this.requireNationalFloor(policy, tx);
      await this.repo.upsertPolicy({ scope, policy, updatedBy: `${by.actor.type}:${by.actor.id}` }, tx);
      await this.audit.record(
        {
          actor: by.actor,
          action: 'app-store.policy.set',
          target: `store-policy:${scope}`,
          details: policy,
          requestId,
        },
        tx,
      );
      return floor;
    });
    const effective = storePolicyInForce(scope === NATIONAL ? undefined : policy, national);
    return { scope, policy: policy satisfies StorePolicy, inherited: false, effective };
  }

  /**
   * The national policy in force (the built-in default when none is stored); 422 policy_below_national_floor
   * naming every setting of `policy` weaker than it.
   */
  private async requireNationalFloor(policy: StorePolicy, tx: Db): Promise<StorePolicy> {
    const national = storePolicyInForce(undefined, (await this.repo.policyRow(NATIONAL, tx))?.policy);
    const fields = storePolicyWeakerThanNational(policy, national);
    if (fields.length > 0)
      throw appStoreError(
        'policy_below_national_floor',
        `An institution's store policy may be stricter than the national policy, never weaker: ${fields.join(', ')}.`,
        { fields },
      );
    return national;
  }

  /** Everyone reads the national policy (their default); only national callers set it. */
  private requireScope(scope: string, by: Principal, mode: 'read' | 'write'): void {
    if (scope === NATIONAL ? mode === 'write' && !inScope(by, null) : !inScope(by, scope))
      throw appStoreError('outside_institution_scope', 'This policy is not yours to ' + mode + '.');
  }
}
