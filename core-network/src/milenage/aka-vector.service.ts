import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SimInventoryRepository } from '../sim-inventory/sim-inventory.repository.js';
import { SimSecretsService } from '../sim-inventory/sim-secrets.service.js';
import { generateVector, PAKAWAAZ_IND, seqAfterResync, sqnFromSeqInd, verifyAuts } from '@pakawaaz/milenage';
import type { AkaVector, AkaVectorSource } from './aka-vector.port.js';

/**
 * Hands out AKA vectors for EAP-AKA/AKA' (identity's RADIUS and HTTPS SIM factor). K/OPc are decrypted here
 * and never leave core-network. Each vector claims the next SEQ atomically in the database, in Pakawaaz's own
 * IND slot, so several nodes — and Open5GS's UDM in its slots — never reuse an SQN.
 */
@Injectable()
export class AkaVectorService implements AkaVectorSource {
  constructor(
    private readonly sims: SimInventoryRepository,
    private readonly secrets: SimSecretsService,
  ) {}

  /** Null for an unknown, unassigned or barred SIM — the caller answers all three the same way. */
  async vector(imsi: string, random: (n: number) => Buffer = randomBytes): Promise<AkaVector | null> {
    if (!/^\d{15}$/.test(imsi)) return null;
    // One statement checks the subscriber, claims the SEQ and returns the sealed secrets: every EAP-AKA run.
    const row = await this.sims.claimSqnSeqIfActive(imsi);
    if (!row) return null;
    const secret = await this.secrets.decrypt(row);
    const seq = row.sqnSeq;
    return generateVector({
      k: secret.k,
      opc: secret.opc,
      amf: secret.amf,
      sqn: sqnFromSeqInd(seq, PAKAWAAZ_IND),
      rand: random(16),
    });
  }

  /** AUTS from the USIM (sync failure): verify MAC-S, then continue above the USIM's SEQ (TS 33.102 §6.3.5). */
  async resynchronise(imsi: string, rand: Buffer, auts: Buffer): Promise<boolean> {
    if (rand.length !== 16 || auts.length !== 14) return false;
    const [row] = await this.sims.secretsRows([imsi]);
    const secret = (await this.secrets.secretsFor([imsi])).get(imsi);
    if (!row || !secret) return false;
    const verified = verifyAuts({ k: secret.k, opc: secret.opc, rand, auts });
    if (!verified) return false;
    await this.sims.setSqnSeq(imsi, seqAfterResync(verified.sqnMs, row.sqnSeq));
    return true;
  }
}
