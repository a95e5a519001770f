import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { WorkerPool } from '@pakawaaz/platform';
import { AttestationContext } from './attestation-context.js';
import type { AttestationTask, AttestationTaskResult } from './attestation.worker.js';

export type { AttestationTask, AttestationTaskResult } from './attestation.worker.js';

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

  async verify(chain: Uint8Array[], challenge: string, at: Date): Promise<AttestationTaskResult> {
    this.pool ??= attestationWorkerPool();
    return this.pool.run({
      chain,
      extraRootsPem: this.context.extraRootsPem(),
      challenge,
      revocations: [...this.context.revocations()],
      policy: await this.context.policy(),
      at: at.getTime(),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.close();
  }
}
