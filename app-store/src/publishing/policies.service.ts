import { Inject, Injectable } from '@nestjs/common';
import { AuditService, DATABASE, inScope, type DatabaseHandle, type Principal } from '@pakawaaz/platform';
import type { z } from 'zod';
import { appStoreError } from '../app-store.errors.js';
import { DEFAULT_STORE_POLICY, type StorePolicy } from './publishing-rules.js';
import type { StorePolicyInput } from './publishing.dto.js';
import { PublishingRepository } from './publishing.repository.js';

/**
 * Store policies: the national one (vendors' apps, and the default of every institution) and each
 * institution's own. An institution's reviewer reads and sets its institution's; the national one is set
 * nationally only.
 */
@Injectable()
export class PoliciesService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly repo: PublishingRepository,
    private readonly audit: AuditService,
  ) {}

  async get(scope: string, by: Principal) {
    this.requireScope(scope, by, 'read');
    const own = await this.repo.policyRow(scope);
    if (own) return { scope, policy: own.policy, inherited: false };
    const national = scope === 'national' ? undefined : await this.repo.policyRow('national');
    return { scope, policy: national?.policy ?? DEFAULT_STORE_POLICY, inherited: true };
  }

  async set(scope: string, policy: z.output<typeof StorePolicyInput>, by: Principal, requestId: string) {
    this.requireScope(scope, by, 'write');
    await this.database.db.transaction(async (tx) => {
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
    });
    return { scope, policy: policy satisfies StorePolicy, inherited: false };
  }

  /** Everyone reads the national policy (their default); only national callers set it. */
  private requireScope(scope: string, by: Principal, mode: 'read' | 'write'): void {
    if (scope === 'national' ? mode === 'write' && !inScope(by, null) : !inScope(by, scope))
      throw appStoreError('outside_institution_scope', 'This policy is not yours to ' + mode + '.');
  }
}
