import type { User } from '../identity';

/** `TOTP · 1 passkey`, or `password only`: what a sign-in can ask for besides the password. */
export function FactorSummary({ factors }: { factors: User['factors'] }) {
  const parts = [
    ...(factors.totp === 'active' ? ['TOTP'] : factors.totp === 'pending' ? ['TOTP (unconfirmed)'] : []),
    ...(factors.passkeys > 0
      ? [`${factors.passkeys} ${factors.passkeys === 1 ? 'passkey' : 'passkeys'}`]
      : []),
  ];
  return parts.length ? <>{parts.join(' · ')}</> : <span className="muted">password only</span>;
}
