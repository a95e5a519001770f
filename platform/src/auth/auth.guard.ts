import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { platformError } from '../errors/platform.errors.js';
import { DPOP_SESSION_TOKEN, UNBOUND_SESSION_TOKEN, type AuthenticatedRequest } from './auth.decorators.js';
import {
  certificateThumbprint,
  CLIENT_CERTIFICATES,
  ClientCertificates,
  isDeviceListenerSocket,
  type CertificateRequest,
} from './client-certificate.js';
import {
  DEVICE_AUTHENTICATOR,
  DEVICE_ROUTE_BOTS,
  DEVICE_ROUTE_DESKTOPS,
  isHandset,
  type DeviceAuthenticatedRequest,
  type DeviceAuthenticator,
  type DevicePrincipal,
  type DeviceRefusal,
} from './device-auth.js';
import { desktopDevice, dpopSessionPrincipal } from './desktop-device.js';
import { DPOP_SETTINGS, MemoryDpopReplay, type DpopSettings } from './dpop-replay.js';
import type { Amr, Principal, Role } from './principal.js';
import { routeAccess } from './route-access.js';
import { requireNational } from './scope.js';
import { TOKEN_VERIFIER, type TokenVerifier } from './token-verifier.js';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{16,4096})$/;

type GuardedRequest = AuthenticatedRequest &
  DeviceAuthenticatedRequest &
  CertificateRequest & { method?: string; url?: string };

/** What a refused device certificate is told: the port's reason, nothing more about the device. */
const REFUSAL_TEXT: Record<DeviceRefusal, string> = {
  untrusted: 'it was not issued by the device CA',
  expired: 'it has expired; renew the device certificate',
  revoked: 'it has been revoked',
  unknown_device: 'no enrolled device holds it',
  device_retired: 'the device has been retired',
  not_a_handset: 'it is a bot or desktop device, and this route is for handsets',
  desktop_needs_dpop:
    'it is a desktop device’s: present its official’s access token and a DPoP proof, not mutual TLS',
  desktop_forbidden: 'the device policy in force does not allow desktop devices',
};

/**
 * Global guard: refuse `national` routes on the device port, authenticate every non-public route, refuse
 * institution principals on `national` routes,
 * then enforce @Roles/@AnyRole and @RequireAmr. A route without a classification is treated as national
 * (fail closed) — the start-up check (RouteScopeCheck) makes that a programming error anyway.
 *
 * Handsets: a `@DeviceRoute()` takes no bearer token; the client certificate (mutual TLS, or forwarded by an
 * allow-listed proxy) goes to the DEVICE_AUTHENTICATOR port on every request. A bearer token bound to a
 * certificate (RFC 8705 `cnf.x5t#S256`) works only with that certificate, while device management accepts it
 * and the device is not non-compliant — checked on every request, nothing cached here.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly certificates: ClientCertificates;
  private readonly dpop: DpopSettings;

  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Optional() @Inject(DEVICE_AUTHENTICATOR) private readonly devices?: DeviceAuthenticator | null,
    @Optional() @Inject(CLIENT_CERTIFICATES) certificates?: ClientCertificates | null,
    @Optional() @Inject(DPOP_SETTINGS) dpop?: DpopSettings | null,
  ) {
    this.certificates =
      certificates ?? new ClientCertificates({ trustedProxies: [], header: 'x-client-cert' });
    this.dpop = dpop ?? { replay: new MemoryDpopReplay(), origins: [] };
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const access = routeAccess(this.reflector, ctx.getHandler(), ctx.getClass());
    if (access.public) return true;
    const request = ctx.switchToHttp().getRequest<GuardedRequest>();
    // The device port is the handsets' door: national infrastructure (SIMs, the core network, the OS
    // registry, roles) is run from the main port only, whoever asks and whatever token they hold.
    if ((access.scope ?? 'national') === 'national' && isDeviceListenerSocket(request.raw?.socket))
      throw platformError(
        'operator_route_on_device_port',
        "This is a national operators' route: use the main API port; the device port serves handsets.",
      );
    const allowed = (key: string) =>
      this.reflector.getAllAndOverride<boolean>(key, [ctx.getHandler(), ctx.getClass()]) === true;
    if (access.scope === 'device') {
      const device = await this.authenticateDevice(request);
      if (device.kind === 'bot' && !allowed(DEVICE_ROUTE_BOTS)) throw refused('not_a_handset');
      if (device.kind === 'desktop' && !allowed(DEVICE_ROUTE_DESKTOPS)) throw refused('not_a_handset');
      request.device = device;
      return true;
    }
    const header = request.headers.authorization;
    // RFC 9449 §7.1: a route that takes the session's DPoP-bound token (logout) takes it with a proof of its key.
    const bound = allowed(DPOP_SESSION_TOKEN) ? await this.dpopSession(request) : null;
    if (bound) return this.admit(request, bound, access);
    const match = BEARER.exec(typeof header === 'string' ? header : '');
    const principal = match?.[1] ? await this.verifier.verify(match[1]) : null;
    if (!principal)
      throw platformError(
        'unauthenticated',
        'Sign in again: the bearer token is missing, invalid or expired.',
      );
    // RFC 9449 §7.1: a token bound to a desktop's DPoP key is no bearer token; it serves that desktop's routes.
    if (principal.dpopJkt)
      throw platformError(
        'dpop_binding_failed',
        'This token is bound to a desktop device key (DPoP): present it with a DPoP proof on a device route, or use the session token here.',
      );
    // RFC 9449 §5: once its session is bound to a desktop's key, the sign-in's unbound token is no bearer
    // token either, but for logout and the bind (@AcceptsUnboundSessionToken).
    if (principal.sessionDpopBound && !allowed(UNBOUND_SESSION_TOKEN))
      throw platformError(
        'dpop_binding_failed',
        'This session is bound to a desktop device key (DPoP): its unbound token serves only logout; use the bound token with a DPoP proof on the device routes.',
      );
    if (principal.certThumbprint) request.device = await this.checkBinding(request, principal);
    return this.admit(request, principal, access);
  }

  private admit(request: GuardedRequest, principal: Principal, access: ReturnType<typeof routeAccess>): true {
    request.principal = principal;
    // Scope before roles: an institution's principal learns only that the route is national.
    if ((access.scope ?? 'national') === 'national') requireNational(principal);
    assertRoles(principal, access.roles);
    assertAmr(principal, access.amr);
    assertAnyAmr(principal, access.anyAmr);
    return true;
  }

  private dpopSession(request: GuardedRequest): Promise<Principal | null> {
    return dpopSessionPrincipal(
      {
        authorization: request.headers.authorization,
        proof: request.headers.dpop,
        method: request.method ?? '',
        path: (request.url ?? '').split('?')[0] ?? '',
        origins: this.dpop.origins,
      },
      { verifier: this.verifier, replay: this.dpop.replay },
    );
  }

  private async authenticateDevice(request: GuardedRequest): Promise<DevicePrincipal> {
    const chain = this.certificates.chain(request);
    if (!chain) {
      // An official's browser (desktop device): access token + DPoP proof of its device key (RFC 9449).
      const desktop = await desktopDevice(
        {
          authorization: request.headers.authorization,
          proof: request.headers.dpop,
          method: request.method ?? '',
          path: (request.url ?? '').split('?')[0] ?? '',
          origins: this.dpop.origins,
        },
        { verifier: this.verifier, devices: this.devices, replay: this.dpop.replay },
      );
      if (desktop) return desktop.device;
      throw platformError(
        'device_certificate_required',
        'This route is for enrolled devices: present the device certificate (mutual TLS on the device port), or a desktop device’s access token with its DPoP proof.',
      );
    }
    if (!this.devices)
      throw platformError(
        'device_management_unavailable',
        'Device management is not running on this node: handsets cannot be authenticated here.',
      );
    const result = await this.devices.authenticate(chain);
    if (!result.ok) throw refused(result.reason);
    // A desktop device's certificate comes in only with its official's token and a DPoP proof (above): over
    // mutual TLS it would outlive the token, a sign-out and a password reset.
    if (result.device.kind === 'desktop') throw refused('desktop_needs_dpop');
    return result.device;
  }

  /** RFC 8705 §3: the token is the certificate holder's only; and the device must still be in good standing. */
  private async checkBinding(request: GuardedRequest, principal: Principal): Promise<DevicePrincipal> {
    const refuse = (why: string) =>
      platformError('certificate_binding_failed', `This token is bound to a device certificate: ${why}.`);
    const chain = this.certificates.chain(request);
    if (!chain) throw refuse('present that certificate (mutual TLS on the device port)');
    if (certificateThumbprint(chain[0]!) !== principal.certThumbprint)
      throw refuse('the certificate presented is another one');
    if (!this.devices) throw refuse('device management is not running on this node to check it');
    const result = await this.devices.authenticate(chain);
    if (!result.ok) throw refuse(`the certificate is refused (${REFUSAL_TEXT[result.reason]})`);
    const device = result.device;
    if (!isHandset(device)) throw refuse('only a handset’s certificate holds a sign-in');
    if (device.certThumbprint !== principal.certThumbprint || device.userId !== principal.actor.id)
      throw refuse('the certificate is not the one this account was signed in with');
    if (device.compliance === 'non_compliant')
      throw refuse('the device is not compliant with its policy; let it check in and recover');
    return device;
  }
}

const refused = (reason: DeviceRefusal) =>
  platformError('device_certificate_refused', `The device certificate is refused: ${REFUSAL_TEXT[reason]}.`, {
    reason,
  });

export function hasRole(principal: Pick<Principal, 'roles'>, roles: readonly Role[]): boolean {
  return principal.roles.includes('super-admin') || roles.some((r) => principal.roles.includes(r));
}

/** The caller needs one of these roles: first line of a service method (the guard checks @Roles too). */
export function requireRole(principal: Pick<Principal, 'roles'>, ...roles: Role[]): void {
  if (!hasRole(principal, roles))
    throw platformError('forbidden', `This needs one of the roles: ${roles.join(', ')}.`);
}

function assertRoles(principal: Principal, roles: readonly Role[] | 'any' | undefined): void {
  if (roles === 'any') {
    if (principal.roles.length === 0)
      throw platformError('forbidden', 'This needs an operator role; your account holds none.');
    return;
  }
  if (roles && roles.length > 0) requireRole(principal, ...roles);
}

function assertAmr(principal: Principal, amr: readonly Amr[] | undefined): void {
  const missing = (amr ?? []).filter((m) => !principal.amr.includes(m));
  if (missing.length > 0) {
    throw platformError('insufficient_authentication', `Sign in again with: ${missing.join(', ')}.`);
  }
}

function assertAnyAmr(principal: Principal, amr: readonly Amr[] | undefined): void {
  if (amr && amr.length > 0 && !amr.some((m) => principal.amr.includes(m))) {
    throw platformError('insufficient_authentication', `Sign in again with one of: ${amr.join(', ')}.`);
  }
}
