import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { WorkerPool } from '@pakawaaz/platform';
import { AttestationContext } from './attestation-context.js';
import type { AttestationTask, AttestationTaskResult } from './attestation.worker.js';

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
    this.pool ??= new WorkerPool(import.meta.url, 'attestation.worker', { name: 'attestation' });
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
