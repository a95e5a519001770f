// Imported from the client package, not ../../api/client (which binds to the window): these are pure.
import { asApiError, type Schemas } from '@pakawaaz/api-client';
import { typedList } from '../../format';

/** A store policy's settings, as the API has them. */
export type StorePolicySettings = Schemas['StorePolicy'];

/** What each setting is called on the page (and in a floor refusal's list). */
export const STORE_POLICY_LABELS: Record<keyof StorePolicySettings, string> = {
  permissionDeny: 'Denied permissions',
  permissionAllow: 'Allowed permissions',
  minTargetSdk: 'Lowest target SDK',
  allowCleartext: 'Cleartext HTTP',
};

/** Permission names typed one a line (or separated by commas or spaces), each once, in order. */
export function permissionsOf(text: string): string[] {
  return [...new Set(typedList(text))];
}

/** A setting's value in words. */
export function describeSetting(field: keyof StorePolicySettings, p: StorePolicySettings): string {
  switch (field) {
    case 'permissionDeny':
      return p.permissionDeny.length > 0 ? p.permissionDeny.join(', ') : 'none';
    case 'permissionAllow':
      return p.permissionAllow === null ? 'any not denied' : p.permissionAllow.join(', ') || 'none';
    case 'minTargetSdk':
      return String(p.minTargetSdk);
    case 'allowCleartext':
      return p.allowCleartext ? 'allowed' : 'refused';
  }
}

/**
 * The settings a refused save was weaker than the national policy in (422 policy_below_national_floor's
 * details.fields), by their labels; empty for any other failure.
 */
export function floorRefusal(error: unknown): string[] {
  const e = asApiError(error);
  if (e.code !== 'policy_below_national_floor') return [];
  const fields = (e.details as { fields?: unknown } | null)?.fields;
  if (!Array.isArray(fields)) return [];
  return fields.map((f) => STORE_POLICY_LABELS[f as keyof StorePolicySettings] ?? String(f));
}
