/** Decrypted SIM secrets: only inside core-network, only for as long as a vector or document is built. */
export type SimSecret = {
  readonly imsi: string;
  readonly k: Buffer;
  readonly opc: Buffer;
  /** 2 bytes. */
  readonly amf: Buffer;
  readonly msisdn: string | null;
};

/** Reads SIM secrets for core-network's own use (vectors, Open5GS documents); never exposed over HTTP. */
export type SimSecretsReader = { secretsFor(imsis: readonly string[]): Promise<Map<string, SimSecret>> };

export const SIM_SECRETS = Symbol.for('pakawaaz.core-network.SimSecrets');
