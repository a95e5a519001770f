/**
 * The Class attribute Pakawaaz puts in an Access-Accept (RFC 2865 §5.25): the NAS copies it into every
 * accounting record of the session, which is how usage is metered per official and IMSI without trusting
 * the User-Name a NAS reports. Text, `pkz1;u=<user id>;inst=<institution id>;imsi=<IMSI>` (253 bytes max).
 */
export type ClassInfo = { userId: string; institutionId: string | null; imsi: string | null };

const PREFIX = 'pkz1;';

export function encodeClass(info: ClassInfo): Buffer {
  const parts = [
    `u=${info.userId}`,
    ...(info.institutionId ? [`inst=${info.institutionId}`] : []),
    ...(info.imsi ? [`imsi=${info.imsi}`] : []),
  ];
  return Buffer.from(PREFIX + parts.join(';'), 'ascii');
}

export function decodeClass(value: Buffer): ClassInfo | null {
  const text = value.toString('latin1');
  if (!text.startsWith(PREFIX) || value.length > 253) return null;
  const fields = new Map(
    text
      .slice(PREFIX.length)
      .split(';')
      .map((kv) => kv.split('=', 2) as [string, string | undefined]),
  );
  const userId = fields.get('u');
  const imsi = fields.get('imsi') ?? null;
  if (!userId || !/^[0-9a-f-]{36}$/i.test(userId) || (imsi !== null && !/^\d{6,15}$/.test(imsi))) return null;
  const inst = fields.get('inst') ?? null;
  return { userId, institutionId: inst && /^[0-9a-f-]{36}$/i.test(inst) ? inst : null, imsi };
}
