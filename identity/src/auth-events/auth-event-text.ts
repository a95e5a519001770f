/**
 * Text as the sign-in log and RADIUS accounting store it (pure). Whatever a NAS or a requester sends is
 * untrusted: PostgreSQL refuses a NUL in text (failing the whole insert), and other control characters
 * would reach an operator's terminal. Lengths are capped so one datagram cannot bloat a row.
 */

// C0 controls, DEL and C1 controls: none of them belong in a name, all of them can hurt a reader.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Control characters as `\xNN`, then at most `max` characters; empty and missing become null. */
export function safeText(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined || value === '') return null;
  const escaped = value.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return [...escaped].slice(0, max).join('');
}

/**
 * A name that matched no account, as stored: often a password typed into the user-name field, so never in
 * full — its first two characters (none when it is short) and its length, e.g. `ay… (9)`.
 */
export function maskUnknownName(name: string | null | undefined): string | null {
  if (!name) return null;
  const chars = [...name];
  const shown = chars.length >= 6 ? safeText(chars.slice(0, 2).join(''), 2) : '';
  return `${shown ?? ''}… (${chars.length})`;
}

/**
 * The outer EAP identity as the log may keep it next to an IMSI: a pseudonym or a fast re-authentication
 * identity (RFC 4187 §4.1.1.7, RFC 9048 §3: 2/3/7 and 4/5/8) exists so that observers cannot link it to the
 * subscriber, so only its kind is kept. Permanent identities and anything else are returned unchanged.
 */
export function outerIdentityForLog(identity: string | null | undefined): string | null {
  if (!identity) return null;
  if (/^[237]/.test(identity)) return '(pseudonym)';
  if (/^[458]/.test(identity)) return '(re-auth identity)';
  return identity;
}

/** Where spoofed datagrams from unknown addresses are counted together: an IPv4 /24, an IPv6 /48. */
export function sourceBlock(address: string): string {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(address);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (address.includes(':')) {
    const groups = address.split('::')[0]!.split(':').filter(Boolean).slice(0, 3);
    while (groups.length < 3) groups.push('0');
    return `${groups.join(':')}::/48`;
  }
  return address;
}
