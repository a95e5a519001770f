import type { INestApplication } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import {
  applicationControllers,
  declaredErrorCodes,
  listRoutes,
  openApiComponents,
  registeredActorKinds,
  registeredAmr,
  registeredRoles,
  roleNames,
  type RouteAccess,
} from '@pakawaaz/platform';
import { documentErrors, errorCodeComponents, platformErrorsOf, type Operation } from './openapi-errors.js';

const operationId = (controller: string, method: string) =>
  `${controller.replace(/Controller$/, '')}_${method}`;

/** Builds the OpenAPI document with components from the zod registry; keys sorted so the JSON is deterministic. */
export function buildOpenApi(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Pakawaaz API')
    .setDescription(
      'Control plane of the sovereign secure mobile ecosystem. Errors are `{ code, message, requestId }`. ' +
        'Authenticate with `Authorization: Bearer <access token or API token>`.',
    )
    .setVersion(version)
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (ES256) or pkz_ API token' },
      'bearer',
    )
    .build();
  // Handsets' routes (x-pakawaaz-scope: device): the device certificate, by mutual TLS on the device port or
  // forwarded by an allow-listed TLS terminator. (OpenAPI 3.1's scheme type; 3.0 tools show it as unknown.)
  config.components = {
    ...config.components,
    securitySchemes: {
      ...config.components?.securitySchemes,
      mutualTLS: {
        type: 'mutualTLS',
        description:
          'The device certificate issued at enrolment: mutual TLS on the device port (PAKAWAAZ_DEVICE_PORT), or forwarded to the device port by an allow-listed TLS terminator (PAKAWAAZ_DEVICE_PROXY_ADDRESSES); TLS 1.3 only.',
      } as unknown as NonNullable<NonNullable<OpenAPIObject['components']>['securitySchemes']>[string],
      dpop: {
        type: 'http',
        scheme: 'DPoP',
        description:
          "An official's browser enrolled as a desktop device, on the device routes that let desktops in (x-pakawaaz-devices): `Authorization: DPoP <access token>` bound to the browser's key, with a `DPoP` proof of the request (RFC 9449).",
      },
    },
  };
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: operationId });
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...openApiComponents(), ...errorCodeComponents() },
  };
  describeAccess(app, document);
  return sortKeys(document) as OpenAPIObject;
}

/**
 * Route classification is data: each operation gets `x-pakawaaz-scope` (public, national, institution, self,
 * device; a device operation also `x-pakawaaz-devices`: handset, and desktop or bot when it lets them in)
 * and `x-pakawaaz-roles` (the roles that pass, empty when any authenticated caller does), read from the same
 * metadata the AuthGuard enforces; the document's root lists the registered roles, amr values and actor
 * kinds (`x-pakawaaz-registry`) for the NOC, the CLI and the generated scope tests.
 */
function describeAccess(app: INestApplication, document: OpenAPIObject): void {
  const controllers = applicationControllers(app.get(DiscoveryService));
  const routes = listRoutes(controllers, app.get(Reflector));
  const declared = declaredErrorCodes(controllers, app.get(Reflector));
  const access = new Map(
    routes.map((r) => [
      operationId(r.controller, r.method),
      { access: r.access, errors: declared.get(`${r.controller}.${r.method}`) ?? [] },
    ]),
  );
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item as Record<string, Operation>)) {
      const found = op.operationId ? access.get(op.operationId) : undefined;
      if (!found) throw new Error(`no route metadata for ${method.toUpperCase()} ${path}`);
      Object.assign(op, accessExtensions(found.access));
      if (found.access.scope === 'device' && !found.access.public)
        op.security = found.access.devices?.includes('desktop')
          ? [{ mutualTLS: [] }, { dpop: [] }]
          : [{ mutualTLS: [] }];
      documentErrors(op, [...platformErrorsOf(found.access, op), ...found.errors]);
    }
  }
  Object.assign(document, {
    'x-pakawaaz-registry': {
      // An array: registration order (kernel, then along the floors) survives the sorted keys.
      roles: registeredRoles().map(({ name, description, scope, passkey, domain }) => ({
        name,
        description,
        scope,
        passkey: passkey ?? false,
        domain,
      })),
      amr: registeredAmr(),
      actorKinds: registeredActorKinds(),
    },
  });
}

function accessExtensions(access: RouteAccess): Record<string, unknown> {
  if (access.public) return { 'x-pakawaaz-scope': 'public' };
  if (access.scope === 'device')
    return {
      'x-pakawaaz-scope': 'device',
      'x-pakawaaz-roles': [],
      'x-pakawaaz-devices': [...(access.devices ?? ['handset'])],
    };
  const roles = access.roles === 'any' ? roleNames() : [...(access.roles ?? [])];
  // super-admin satisfies every role check.
  if (roles.length > 0 && !roles.includes('super-admin')) roles.push('super-admin');
  return { 'x-pakawaaz-scope': access.scope ?? 'national', 'x-pakawaaz-roles': roles };
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function serializeOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
