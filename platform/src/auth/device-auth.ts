import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { platformError } from '../errors/platform.errors.js';
import { ROUTE_SCOPE } from './auth.decorators.js';

/**
 * Handsets authenticate with their device certificate (mutual TLS on the device port, or forwarded by an
 * allow-listed TLS terminator), not with a bearer token. Device management implements the port; the guard
 * calls it for every `@DeviceRoute()` and for every bearer token bound to a certificate (`cnf.x5t#S256`).
 */
export type DevicePrincipal = {
  readonly deviceId: string;
  /** The official the handset was enrolled for. */
  readonly userId: string;
  readonly institutionId: string | null;
  /** base64url SHA-256 of the certificate's DER (RFC 8705 `x5t#S256`). */
  readonly certThumbprint: string;
  /**
   * The device's compliance. Its own routes stay open whatever it is (a handset must be able to check in to
   * recover); tokens bound to a `non_compliant` device's certificate stop working.
   */
  readonly compliance: 'compliant' | 'grace' | 'non_compliant';
  /**
   * `desktop`: an official's browser (the web chat), authenticated by access token and DPoP proof instead of
   * mutual TLS. `bot`: a service account's certificate (an e-Office bot of `institutionId`; its `userId` is
   * its `deviceId`, the bot id), not a handset: only routes declared `@DeviceRoute({ bots: true })` accept it.
   * Absent means a handset.
   */
  readonly kind?: 'handset' | 'desktop' | 'bot';
};

/** Why a presented certificate does not authenticate a device. */
export type DeviceRefusal =
  | 'untrusted'
  | 'expired'
  | 'revoked'
  | 'unknown_device'
  | 'device_retired'
  | 'not_a_handset'
  | 'desktop_needs_dpop'
  /** A desktop device whose institution's (or group's) device policy in force now forbids desktops. */
  | 'desktop_forbidden';

export type DeviceAuthentication =
  | { readonly ok: true; readonly device: DevicePrincipal }
  | {
      readonly ok: false;
      readonly reason: DeviceRefusal;
      /**
       * Only for a certificate revoked because a renewal replaced it (not for cause) while its device is still
       * in service: the device it names. Authentication refuses it all the same; a record made with it — an
       * MLS leaf in a chat group until the device updates it — may still name the device.
       */
      readonly replaced?: DevicePrincipal;
    };

export type DeviceAuthenticator = {
  /** The client certificate's DER (leaf); any intermediates the handset sent follow it. */
  authenticate(chain: readonly Uint8Array[]): Promise<DeviceAuthentication>;
};

export const DEVICE_AUTHENTICATOR = Symbol.for('pakawaaz.DeviceAuthenticator');

export const DEVICE_ROUTE = 'pakawaaz:device-route';
/** Metadata of a device route that bots (service accounts with a device-CA certificate) may call too. */
export const DEVICE_ROUTE_BOTS = 'pakawaaz:device-route-bots';
/** Metadata of a device route that desktop devices (officials' browsers, token + DPoP) may call too. */
export const DEVICE_ROUTE_DESKTOPS = 'pakawaaz:device-route-desktops';

/**
 * A route for handsets: the caller is the device its certificate names (no bearer token). Its scope is the
 * device itself — the service acts on `@CurrentDevice()` only. `desktops: true` lets an official's browser in
 * too (secure chat: delivery, files, calls), `bots: true` a bot's certificate (chat delivery); every other
 * device route — check-in, attestation, catalogues — is for handsets only and refuses them (`not_a_handset`).
 */
export const DeviceRoute = (o: { bots?: boolean; desktops?: boolean } = {}) =>
  applyDecorators(
    SetMetadata(DEVICE_ROUTE, true),
    SetMetadata(ROUTE_SCOPE, 'device'),
    SetMetadata(DEVICE_ROUTE_BOTS, o.bots === true),
    SetMetadata(DEVICE_ROUTE_DESKTOPS, o.desktops === true),
  );

/**
 * Whether an authenticated device is a handset (neither a bot nor a desktop): what device trust, MFA, push and
 * fleet routes need.
 */
export const isHandset = (d: Pick<DevicePrincipal, 'kind'>): boolean =>
  d.kind === undefined || d.kind === 'handset';

export type DeviceAuthenticatedRequest = { device?: DevicePrincipal };

/** Injects the authenticated device of a `@DeviceRoute()`. */
export const CurrentDevice = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): DevicePrincipal => {
    const device = ctx.switchToHttp().getRequest<DeviceAuthenticatedRequest>().device;
    if (!device) throw platformError('unauthenticated', 'Present the device certificate (mutual TLS).');
    return device;
  },
);

/**
 * The TLS identity of the device edge (the mutual-TLS device port and the embedded MQTT broker): the CAs whose
 * client certificates it asks for, and a server certificate handsets trust (issued by the device CA, which the
 * handset received at enrolment). Device management implements it; the server binds it.
 */
export type DeviceEdgeTls = {
  /** PEM certificates of the CAs that issue device certificates (current and still-valid previous ones). */
  clientCas(): Promise<readonly string[]>;
  /** A server certificate for these host names and addresses, with its private key and issuing chain (PEM). */
  serverIdentity(
    hostnames: readonly string[],
  ): Promise<{ certPem: string; keyPem: string; chainPem: string }>;
};

export const DEVICE_EDGE_TLS = Symbol.for('pakawaaz.DeviceEdgeTls');
