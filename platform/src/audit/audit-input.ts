import type { Actor } from '../auth/principal.js';
import { canonicalJson, type AuditEntry } from './audit-chain.js';

// What an audit entry may hold, checked before it is hashed and stored (pure: no database).

/** Dotted lower-case words, domain first: `identity.operator.created`. */
export const AUDIT_ACTION_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;
/** Bytes of canonical JSON; audit details describe an action, they are not a place for payloads. */
export const MAX_AUDIT_DETAILS_BYTES = 16 * 1024;

/**
 * Key names that carry credentials or subscriber keys (K, Ki, OP, OPc) anywhere in details. Compared
 * lower-cased without `_`/`-`, so `private_key` is caught too; `tokenId` and the like stay allowed.
 */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'password',
  'secret',
  'token',
  'k',
  'ki',
  'opc',
  'op',
  'privatekey',
  'seed',
]);

export type AuditInput = {
  actor: Actor;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
  requestId?: string | null;
};

export type AuditContent = Omit<AuditEntry, 'seq' | 'id' | 'at'>;

/** Validates an entry; mistakes here are programming errors, so they throw plain Errors. */
export function auditContent(input: AuditInput): AuditContent {
  if (!AUDIT_ACTION_PATTERN.test(input.action)) {
    throw new Error(
      `invalid audit action "${input.action}": expected dotted lower-case words (domain.object.verb)`,
    );
  }
  if (!input.actor.id) throw new Error('audit actor id must not be empty');
  const canonical = canonicalJson(input.details ?? {});
  const size = Buffer.byteLength(canonical, 'utf8');
  if (size > MAX_AUDIT_DETAILS_BYTES)
    throw new Error(`audit details are ${size} bytes; the limit is ${MAX_AUDIT_DETAILS_BYTES}`);
  // Store exactly what is hashed (Dates as strings, undefined dropped), so verification re-computes the same bytes.
  const details = JSON.parse(canonical) as unknown;
  if (typeof details !== 'object' || details === null || Array.isArray(details))
    throw new Error('audit details must be an object');
  const secret = findSecretKey(details, '');
  if (secret !== null)
    throw new Error(`audit details must not contain secrets: key "${secret}" is not allowed`);
  return {
    actorType: input.actor.type,
    actorId: input.actor.id,
    action: input.action,
    target: input.target ?? null,
    details,
    requestId: input.requestId ?? null,
  };
}

/** Path of the first key (any depth, arrays included) named like a secret; the value is never reported. */
function findSecretKey(value: unknown, path: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, child] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''))) return here;
    const nested = findSecretKey(child, here);
    if (nested !== null) return nested;
  }
  return null;
}
