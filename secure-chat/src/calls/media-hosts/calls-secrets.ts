import type { DatabaseHandle, KeySet, KeyService } from '@pakawaaz/platform';
import { mediaHosts } from '../calls.schema.js';

export const CALLS_SECRETS = Symbol.for('pakawaaz.secure-chat.CallsSecrets');

/** Seals media hosts' admin secrets and derives join tokens, under the `calls-secrets` key set. */
export type CallsSecrets = {
  seal(adminSecret: string): Promise<string>;
  open(sealed: string): Promise<string>;
  /** A call's join token for one device: recomputable (to revoke it), never stored. */
  joinToken(callId: string, deviceId: string): Promise<string>;
  /** A call's room secret (destroy, kick, `allowed`): recomputable, never stored, never the admin secret. */
  roomSecret(callId: string): Promise<string>;
};

const CONTEXT = 'secure-chat:media-host-admin-secret';

export function callsSecretsOver(keys: KeySet): CallsSecrets {
  return {
    seal(secret) {
      return keys.sealText(secret, CONTEXT);
    },
    async open(sealed) {
      return (await keys.openText(sealed, CONTEXT)).toString('utf8');
    },
    async joinToken(callId, deviceId) {
      const mac = await keys.mac(Buffer.from(`secure-chat:call-join\n${callId}\n${deviceId}`, 'utf8'));
      return mac.toString('base64url');
    },
    async roomSecret(callId) {
      const mac = await keys.mac(Buffer.from(`secure-chat:call-room\n${callId}`, 'utf8'));
      return mac.toString('base64url');
    },
  };
}

export async function openCallsSecrets(
  keys: KeyService,
  database: DatabaseHandle,
  file: string,
): Promise<CallsSecrets> {
  const set = await keys.useKeySet({
    name: 'calls-secrets',
    file,
    protects: "media hosts' (Janus) admin secrets",
    fileVariable: 'PAKAWAAZ_CALLS_SECRETS_KEY_FILE',
    inUse: async () => {
      const [row] = await database.db.select({ id: mediaHosts.id }).from(mediaHosts).limit(1);
      return row !== undefined;
    },
  });
  return callsSecretsOver(set);
}
