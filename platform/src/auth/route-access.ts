import { Injectable, type OnModuleInit, type Type } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, Reflector } from '@nestjs/core';
import {
  PUBLIC_ROUTE,
  REQUIRED_AMR,
  REQUIRED_ANY_AMR,
  REQUIRED_ROLES,
  ROUTE_SCOPE,
  type RouteScopeKind,
} from './auth.decorators.js';
import { DEVICE_ROUTE_BOTS, DEVICE_ROUTE_DESKTOPS } from './device-auth.js';
import type { Amr, Role } from './principal.js';

/** The kinds of device a device route lets in (a handset always; a desktop or a bot when the route says so). */
export type DeviceKindAllowed = 'handset' | 'desktop' | 'bot';

/** What a route demands, resolved as the guard resolves it: the handler's metadata over its controller's. */
export type RouteAccess = {
  readonly public: boolean;
  readonly scope: RouteScopeKind | undefined;
  /** Undefined or empty: any authenticated caller; `'any'`: a caller holding some role. */
  readonly roles: readonly Role[] | 'any' | undefined;
  readonly amr: readonly Amr[] | undefined;
  readonly anyAmr: readonly Amr[] | undefined;
  /** A device route's callers (scope `device`); undefined on other routes. */
  readonly devices: readonly DeviceKindAllowed[] | undefined;
};

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Handler = Function;

export function routeAccess(reflector: Reflector, handler: Handler, controller: Type): RouteAccess {
  const targets = [handler, controller];
  const scope = reflector.getAllAndOverride<RouteScopeKind | undefined>(ROUTE_SCOPE, targets);
  const lets = (key: string) => reflector.getAllAndOverride<boolean | undefined>(key, targets) === true;
  return {
    public: reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, targets) === true,
    scope,
    devices:
      scope === 'device'
        ? [
            'handset',
            ...(lets(DEVICE_ROUTE_DESKTOPS) ? (['desktop'] as const) : []),
            ...(lets(DEVICE_ROUTE_BOTS) ? (['bot'] as const) : []),
          ]
        : undefined,
    roles: reflector.getAllAndOverride<Role[] | 'any' | undefined>(REQUIRED_ROLES, targets),
    amr: reflector.getAllAndOverride<Amr[] | undefined>(REQUIRED_AMR, targets),
    anyAmr: reflector.getAllAndOverride<Amr[] | undefined>(REQUIRED_ANY_AMR, targets),
  };
}

export type RouteEntry = {
  readonly controller: string;
  readonly method: string;
  readonly access: RouteAccess;
};

/** Every HTTP handler of these controllers (methods carrying a Nest route decorator) with its access. */
export function listRoutes(controllers: readonly Type[], reflector = new Reflector()): RouteEntry[] {
  return controllers.flatMap((controller) => {
    const proto = controller.prototype as Record<string, unknown>;
    return Object.getOwnPropertyNames(proto)
      .filter((name) => name !== 'constructor')
      .map((name) => ({ name, handler: Object.getOwnPropertyDescriptor(proto, name)?.value as unknown }))
      .filter(
        (m): m is { name: string; handler: Handler } =>
          typeof m.handler === 'function' && Reflect.hasMetadata(METHOD_METADATA, m.handler),
      )
      .map(({ name, handler }) => ({
        controller: controller.name,
        method: name,
        access: routeAccess(reflector, handler, controller),
      }));
  });
}

/** Non-public routes nobody classified: each one is a route whose institution scope nobody decided. */
export function unclassifiedRoutes(routes: readonly RouteEntry[]): string[] {
  return routes.filter((r) => !r.access.public && !r.access.scope).map((r) => `${r.controller}.${r.method}`);
}

/** The controllers of the running application. */
export function applicationControllers(discovery: DiscoveryService): Type[] {
  return discovery
    .getControllers()
    .map((w) => w.metatype)
    .filter((t): t is Type => typeof t === 'function');
}

/**
 * Start-up check: the application does not start while a non-public route lacks a scope classification,
 * so a new route cannot forget it (every test that boots the server, and `npm run openapi`, would fail).
 */
@Injectable()
export class RouteScopeCheck implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const missing = unclassifiedRoutes(listRoutes(applicationControllers(this.discovery), this.reflector));
    if (missing.length > 0)
      throw new Error(
        `Routes without a scope classification: ${missing.join(', ')}. Decorate each with ` +
          "@RouteScope('national' | 'institution' | 'self') or @DeviceRoute() (see docs/architecture.md, Authentication).",
      );
  }
}
