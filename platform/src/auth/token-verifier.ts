import type { Principal } from './principal.js';

/**
 * Port: turns a bearer token into a principal, or null when it is not valid (expired, revoked, forged,
 * unknown). Declared by the platform, implemented by identity and bound by the server (DESIGN §2).
 */
export type TokenVerifier = { verify(token: string): Promise<Principal | null> };

export const TOKEN_VERIFIER = Symbol.for('pakawaaz.TokenVerifier');
