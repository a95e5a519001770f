/**
 * One official as a source states them (a CSV row, a directory entry), validated by the same rules as the
 * users API (users.dto.ts): the pure core shared by the CSV import and the directory sync. The institution is
 * named as the source names it (an id or a name); the service resolves it.
 */
export type OfficialRecord = {
  username: string;
  displayName: string;
  designation: string | null;
  /** An institution id or name, as given. */
  institution: string;
  email: string | null;
  phone: string | null;
  /** A SIM to assign: validated and reported (assignment is core-network's, see docs). */
  imsi: string | null;
};

export type OfficialFields = { [K in keyof OfficialRecord]?: string | null | undefined };

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// The users API takes any address zod's email() accepts; a plain shape check keeps this core dependency-free.
const EMAIL = /^[^\s@",<>]+@[^\s@",<>]+\.[^\s@",<>]+$/;
const PHONE = /^\+?[0-9 ()-]{5,20}$/;

const text = (v: string | null | undefined) => (v ?? '').trim();

/** The record, or the first reason it is rejected (said so an operator can fix the line). */
export function validateOfficial(f: OfficialFields): OfficialRecord | { reason: string } {
  const username = text(f.username);
  if (username.length < 2 || username.length > 64) return { reason: 'username must be 2 to 64 characters' };
  if (!USERNAME.test(username))
    return {
      reason: 'username may hold letters, digits, dot, dash, underscore, starting with a letter or digit',
    };
  const displayName = text(f.displayName);
  if (!displayName) return { reason: 'name is empty' };
  if (displayName.length > 200) return { reason: 'name must be at most 200 characters' };
  const designation = text(f.designation) || null;
  if (designation !== null && designation.length > 200)
    return { reason: 'designation must be at most 200 characters' };
  const institution = text(f.institution);
  if (!institution) return { reason: 'institution is empty (give its id or name)' };
  if (institution.length > 200) return { reason: 'institution must be at most 200 characters' };
  const email = text(f.email) || null;
  if (email !== null && (email.length > 254 || !EMAIL.test(email)))
    return { reason: 'email is not an address' };
  const phone = text(f.phone) || null;
  if (phone !== null && !PHONE.test(phone)) return { reason: 'phone is not a phone number' };
  const imsi = text(f.imsi) || null;
  if (imsi !== null && !/^\d{15}$/.test(imsi)) return { reason: 'IMSI must be 15 digits' };
  return { username: username.toLowerCase(), displayName, designation, institution, email, phone, imsi };
}
