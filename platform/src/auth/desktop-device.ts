import { platformError } from '../errors/platform.errors.js';
import type { DeviceAuthenticator, DevicePrincipal } from './device-auth.js';
import { verifyDpopProof } from './dpop.js';
import type { DpopReplay } from './dpop-replay.js';
import type { Principal } from './principal.js';
import type { TokenVerifier } from './token-verifier.js';

const DPOP = /^DPoP ([A-Za-z0-9._~+/=-]{16,4096})$/;

export type DesktopRequest = {
  /** The Authorization header (`DPoP <access token>`). */
  authorization: unknown;
  /** The DPoP header: the proof. */
  proof: unknown;
  method: string;
  /** The request's path, without the query. */
  path: string;
  /** The origins the proof's `htu` may name (dpopOrigins). */
  origins: readonly string[];
};

/**
 * A desktop device (an official's browser) on a device route: the official's access token, bound to the
 * browser's device key (`cnf.jkt`), and a DPoP proof signed by that key, whose `x5c` is its desktop device
 * certificate. The certificate must be one device management accepts (live, not revoked), of kind `desktop`,
 * enrolled for this very official. The proof's `jti` is spent last, when all of that holds: a refused request
 * cannot burn a proof its owner is about to use. null when the request carries no DPoP authorization.
 */
export async function desktopDevice(
  req: DesktopRequest,
  deps: { verifier: TokenVerifier; devices: DeviceAuthenticator | null | undefined; replay: DpopReplay },
): Promise<{ device: DevicePrincipal; chain: Uint8Array[] } | null> {
  const bound = await boundToken(req, deps.verifier, true);
  if (!bound) return null;
  const { principal, proof } = bound;
  if (principal.dpopJkt !== proof.jkt)
    throw platformError(
      'dpop_binding_failed',
      principal.dpopJkt
        ? 'The access token is bound to another device key (cnf.jkt): use the token issued to this device.'
        : 'The access token is not bound to this device key: get a DPoP-bound token (POST /api/v1/auth/token/dpop).',
    );
  const device = await enrolledDesktop(proof.chain, principal.actor.id, deps.devices);
  if (!(await deps.replay.spend(proof)))
    throw platformError('dpop_proof_invalid', 'The DPoP proof is refused: it was used before (jti).');
  return { device, chain: proof.chain };
}

/**
 * A session's DPoP-bound token with a proof of its key for this request (RFC 9449 §7.1), on a route that takes
 * it besides the device routes (@AcceptsDpopSessionToken: logout). The key's proof is all it needs — no device
 * management check, so a retired desktop can still end its session. The `jti` is spent last. null when the
 * request carries no DPoP authorization.
 */
export async function dpopSessionPrincipal(
  req: DesktopRequest,
  deps: { verifier: TokenVerifier; replay: DpopReplay },
): Promise<Principal | null> {
  const bound = await boundToken(req, deps.verifier, false);
  if (!bound) return null;
  const { principal, proof } = bound;
  if (!principal.dpopJkt || principal.dpopJkt !== proof.jkt)
    throw platformError(
      'dpop_binding_failed',
      'The access token is not bound to the key that signed the DPoP proof (cnf.jkt).',
    );
  if (!(await deps.replay.spend(proof)))
    throw platformError('dpop_proof_invalid', 'The DPoP proof is refused: it was used before (jti).');
  return principal;
}

/**
 * The `DPoP <token>` authorization's proof, checked for this request (with its certificate chain in `x5c` when
 * `certificate`), and the token's principal; null without DPoP authorization. Nothing is spent here.
 */
async function boundToken(req: DesktopRequest, verifier: TokenVerifier, certificate: boolean) {
  const token = DPOP.exec(typeof req.authorization === 'string' ? req.authorization : '')?.[1];
  if (!token) return null;
  if (typeof req.proof !== 'string')
    throw platformError('dpop_proof_invalid', 'Send the DPoP proof header with the DPoP access token.');
  const proof = verifyDpopProof(req.proof, {
    method: req.method,
    path: req.path,
    origins: req.origins,
    accessToken: token,
    certificate,
  });
  if (!proof.ok) throw platformError('dpop_proof_invalid', `The DPoP proof is refused: ${proof.why}.`);
  const principal = await verifier.verify(token);
  if (!principal)
    throw platformError('unauthenticated', 'Sign in again: the access token is invalid or expired.');
  return { principal, proof };
}

/**
 * The desktop device a DPoP proof's `x5c` names, as device management accepts it now (live, not revoked, not
 * retired, and allowed by the device policy in force — its answer, not a retirement that may not have run
 * yet), enrolled for this official. The device routes' guard and the DPoP token exchange both ask it.
 */
export async function enrolledDesktop(
  chain: readonly Uint8Array[],
  userId: string,
  devices: DeviceAuthenticator | null | undefined,
): Promise<DevicePrincipal> {
  if (!devices)
    throw platformError(
      'device_management_unavailable',
      'Device management is not running on this node: devices cannot be authenticated here.',
    );
  const result = await devices.authenticate(chain);
  if (!result.ok && result.reason === 'desktop_forbidden')
    throw platformError(
      'forbidden',
      "Your institution's device policy does not allow desktop devices: use your handset.",
      { reason: result.reason },
    );
  if (!result.ok)
    throw platformError('device_certificate_refused', 'The desktop device certificate is refused.', {
      reason: result.reason,
    });
  const device = result.device;
  if (device.kind !== 'desktop' || device.userId !== userId)
    throw platformError(
      'dpop_proof_invalid',
      'The DPoP proof must be signed by a desktop device of the signed-in official (handsets use mutual TLS).',
    );
  return device;
}
