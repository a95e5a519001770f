import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { WorkerPool } from '@pakawaaz/platform';
import { MlsInputError, type KeyPackageFacts } from '../mls/mls-facts.js';
import { readKeyPackages, type KeyPackageReading, type KeyPackageTask } from './key-package.worker.js';

/** Reads a batch of KeyPackages: facts, or the MlsInputError of each one refused (in order). */
export type KeyPackageReader = {
  readAll(packages: readonly Uint8Array[]): Promise<(KeyPackageFacts | MlsInputError)[]>;
};

const toResult = (r: KeyPackageReading) => (r.ok ? r.facts : new MlsInputError(r.code, r.message));

/** On the calling thread: for tests and tools. */
export const inlineKeyPackageReader: KeyPackageReader = {
  readAll: async (packages) => (await readKeyPackages({ packages: [...packages] })).map(toResult),
};

/**
 * On worker threads (platform WorkerPool): a 51-package upload is over a second of signature checks, which the
 * event loop that serves every socket must not spend. A batch is one task.
 */
@Injectable()
export class WorkerKeyPackageReader implements KeyPackageReader, OnModuleDestroy {
  private readonly pool = new WorkerPool<KeyPackageTask, KeyPackageReading[]>(
    import.meta.url,
    'key-package.worker',
    {
      name: 'chat-key-packages',
      size: 2,
      taskTimeoutMs: 30_000,
    },
  );

  async readAll(packages: readonly Uint8Array[]): Promise<(KeyPackageFacts | MlsInputError)[]> {
    return (await this.pool.run({ packages: [...packages] })).map(toResult);
  }

  onModuleDestroy(): Promise<void> {
    return this.pool.close();
  }
}

export const KEY_PACKAGE_READER = Symbol.for('pakawaaz.secure-chat.KeyPackageReader');
