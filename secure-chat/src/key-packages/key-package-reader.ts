import { Injectable } from '@nestjs/common';
import { MlsInputError, type KeyPackageFacts } from '../mls/mls-facts.js';
import { ChatMlsWorkers } from '../mls/mls-workers.js';
import { readKeyPackages, type KeyPackageReading } from './key-package.task.js';

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
 * On worker threads (the chat's MLS workers): a 51-package upload is over a second of signature checks, which
 * the event loop that serves every socket must not spend. A batch is one task.
 */
@Injectable()
export class WorkerKeyPackageReader implements KeyPackageReader {
  constructor(private readonly workers: ChatMlsWorkers) {}

  async readAll(packages: readonly Uint8Array[]): Promise<(KeyPackageFacts | MlsInputError)[]> {
    return (await this.workers.readKeyPackages({ packages: [...packages] })).map(toResult);
  }
}

export const KEY_PACKAGE_READER = Symbol.for('pakawaaz.secure-chat.KeyPackageReader');
