import type { DatabaseHandle, KeyService } from '@pakawaaz/platform';
import { IDENTITY_SECRETS_KEY, secretBoxOver, type SecretBox } from '../crypto/secret-box.js';
import { radiusClients } from '../radius/radius-clients.schema.js';
import { totpFactors } from './mfa.schema.js';

export const SECRET_BOX = Symbol.for('pakawaaz.identity.SecretBox');

/** Whether anything is sealed under the identity secrets key: then it must exist (restored), not be created. */
export async function identitySecretsInUse(database: DatabaseHandle): Promise<boolean> {
  const [totp] = await database.db.select({ id: totpFactors.userId }).from(totpFactors).limit(1);
  if (totp) return true;
  const [radius] = await database.db.select({ id: radiusClients.id }).from(radiusClients).limit(1);
  return radius !== undefined;
}

export async function openSecretBox(
  keys: KeyService,
  database: DatabaseHandle,
  file: string,
): Promise<SecretBox> {
  const set = await keys.useKeySet({
    name: IDENTITY_SECRETS_KEY,
    file,
    protects: 'TOTP seeds and RADIUS client secrets',
    fileVariable: 'PAKAWAAZ_IDENTITY_SECRETS_KEY_FILE',
    inUse: () => identitySecretsInUse(database),
  });
  return secretBoxOver(set);
}
