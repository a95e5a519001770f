import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { WorkerPool } from '@pakawaaz/platform';
import type { Refusal } from '../attestation/index.js';
import { AttestationContext } from './attestation-context.js';
import type { AttestationTask, AttestationTaskResult } from './attestation.worker.js';

export type { AttestationTask, AttestationTaskResult } from './attestation.worker.js';

export type AttestationSubject = { institutionId: string | null; reportedModel: string | null };

/** The worker's verdict, refused for a boot key not registered for the attested model. */
export function withModelBootKey(
  result: AttestationTaskResult,
  refusal: Refusal | null,
): AttestationTaskResult {
  if (!refusal || result.kind !== 'read') return result;
  const v = result.verdict;
  return {
    ...result,
    verdict: {
      ...v,
      ok: false,
      reasons: v.reasons.includes(refusal.code) ? v.reasons : [...v.reasons, refusal.code],
      refusals: [...v.refusals, refusal],
    },
  };
}

/**
 * The worker threads attestation chains are verified on, as the server runs them (default size: the cores
 * left to the event loop); lab's bench measures this pool.
 */
export function attestationWorkerPool(size?: number): WorkerPool<AttestationTask, AttestationTaskResult> {
  return new WorkerPool(import.meta.url, 'attestation.worker', { name: 'attestation', size });
}

/**
 * Verifies attestation chains on worker threads (attestation.worker.ts): a chain costs milliseconds of CPU
 * (ASN.1 and signature checks), which on the event loop would delay every other request during an
 * enrolment wave. The verifier's own time budget still applies inside the worker.
 */
@Injectable()
export class AttestationVerifier implements OnModuleDestroy {
  private pool: WorkerPool<AttestationTask, AttestationTaskResult> | undefined;

  constructor(private readonly context: AttestationContext) {}

  /**
   * `subject`: the institution whose patch floor applies (null: the national one) and the model the handset
   * reports (used for the boot key's model only when the hardware attests none).
   */
  async verify(
    chain: Uint8Array[],
    challenge: string,
    at: Date,
    subject: AttestationSubject = { institutionId: null, reportedModel: null },
  ): Promise<AttestationTaskResult> {
    this.pool ??= attestationWorkerPool();
    const result = await this.pool.run({
      chain,
      extraRootsPem: this.context.extraRootsPem(),
      challenge,
      revocations: [...this.context.revocations()],
      policy: await this.context.policy(subject.institutionId),
      at: at.getTime(),
    });
    return withModelBootKey(result, await this.modelRefusal(result, subject.reportedModel));
  }

  private async modelRefusal(result: AttestationTaskResult, reportedModel: string | null) {
    if (result.kind !== 'read' || !result.verdict.ok) return null;
    return this.context.bootKeyRefusal(result.facts, reportedModel);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.close();
  }
}
