import { Injectable } from '@nestjs/common';
import { DataKeyService } from '@pakawaaz/platform';
import { openSimField } from '../crypto/sim-keys.js';
import type { SimSecret, SimSecretsReader } from './sim-secrets.port.js';
import { SimInventoryRepository, type SimCardRow } from './sim-inventory.repository.js';

/** Decrypts K/OPc for core-network's own use; an unknown IMSI is simply absent from the result. */
@Injectable()
export class SimSecretsService implements SimSecretsReader {
  constructor(
    private readonly repo: SimInventoryRepository,
    private readonly keys: DataKeyService,
  ) {}

  async secretsFor(imsis: readonly string[]): Promise<Map<string, SimSecret>> {
    const out = new Map<string, SimSecret>();
    for (const row of await this.repo.secretsRows(imsis)) out.set(row.imsi, await this.decrypt(row));
    return out;
  }

  /** Opens one row's K and OPc (the row as read by the caller, e.g. together with its SQN claim). */
  async decrypt(row: SimCardRow): Promise<SimSecret> {
    const dek = { id: row.dataKeyId, key: await this.keys.get(row.dataKeyId) };
    return {
      imsi: row.imsi,
      k: openSimField(dek, row.imsi, 'k', row.kEnc),
      opc: openSimField(dek, row.imsi, 'opc', row.opcEnc),
      amf: Buffer.from(row.amf, 'hex'),
      msisdn: row.msisdn,
    };
  }
}
