import { verifyAccessToken, type SigningKey, type VerifiedAccessToken } from './access-token.js';
import { VerifiedTokens } from './verified-tokens.js';

export type AccessTokenCheck = (token: string, now: Date) => Promise<VerifiedAccessToken | null>;

/**
 * What every request's bearer token goes through before the session check: the full JWT verification the
 * first time a token is seen, the memory of that result (until its `exp`) afterwards.
 */
export function accessTokenChecker(
  key: Pick<SigningKey, 'publicKey'>,
  issuer: string,
  cache: VerifiedTokens = new VerifiedTokens(),
): AccessTokenCheck {
  return async (token, now) => {
    const known = cache.get(token, now.getTime() / 1000);
    if (known) return known;
    const v = await verifyAccessToken(token, key, { issuer, now });
    if (v) cache.put(token, v);
    return v;
  };
}
