import type { OpenAPIObject } from '@nestjs/swagger';
import {
  CORE_NETWORK_ERROR_STATUS,
  NETWORK_HEALTH_ERROR_STATUS,
  NETWORK_SPEC_ERROR_STATUS,
} from '@pakawaaz/core-network';
import { APP_STORE_ERROR_STATUS } from '@pakawaaz/app-store';
import { DEVICE_MGMT_ERROR_STATUS } from '@pakawaaz/device-mgmt';
import { HARDENED_OS_ERROR_STATUS } from '@pakawaaz/hardened-os';
import { IDENTITY_ERROR_STATUS } from '@pakawaaz/identity';
import {
  BOTS_ERROR_STATUS,
  CALLS_ERROR_STATUS,
  FILES_ERROR_STATUS,
  SECURE_CHAT_ERROR_STATUS,
} from '@pakawaaz/secure-chat';
import {
  PLATFORM_ERROR_STATUS,
  type DocumentedError,
  type HttpStatus,
  type PlatformErrorCode,
  type RouteAccess,
} from '@pakawaaz/platform';

/**
 * Every domain's exhaustive code → status map, by the component that lists its codes in openapi.json
 * (`<Domain>ErrorCode`, and `ErrorCode` for all of them). A domain that defines error codes adds its map here.
 */
type SchemaObject = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];

export const ERROR_CODE_MAPS: Readonly<Record<string, Readonly<Record<string, HttpStatus>>>> = {
  PlatformErrorCode: PLATFORM_ERROR_STATUS,
  IdentityErrorCode: IDENTITY_ERROR_STATUS,
  CoreNetworkErrorCode: {
    ...CORE_NETWORK_ERROR_STATUS,
    ...NETWORK_SPEC_ERROR_STATUS,
    ...NETWORK_HEALTH_ERROR_STATUS,
  },
  DeviceMgmtErrorCode: DEVICE_MGMT_ERROR_STATUS,
  HardenedOsErrorCode: HARDENED_OS_ERROR_STATUS,
  AppStoreErrorCode: APP_STORE_ERROR_STATUS,
  SecureChatErrorCode: {
    ...SECURE_CHAT_ERROR_STATUS,
    ...FILES_ERROR_STATUS,
    ...CALLS_ERROR_STATUS,
    ...BOTS_ERROR_STATUS,
  },
};

/** The code enums as OpenAPI components: one per domain, and their union. */
export function errorCodeComponents(): Record<string, SchemaObject> {
  const components: Record<string, SchemaObject> = Object.fromEntries(
    Object.entries(ERROR_CODE_MAPS).map(([name, map]) => [
      name,
      { type: 'string', enum: Object.keys(map).sort() } satisfies SchemaObject,
    ]),
  );
  components.ErrorCode = {
    // anyOf, not oneOf: a code may be shared by domains that mean the same by it (payload_too_large).
    description: 'Every stable error code, of every domain (ErrorReply.code is one of them).',
    anyOf: Object.keys(ERROR_CODE_MAPS).map((name) => ({ $ref: `#/components/schemas/${name}` })),
  };
  return components;
}

export type Operation = {
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: unknown[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, { description?: string; content?: unknown }>;
};

const platform = (code: PlatformErrorCode): DocumentedError => ({
  code,
  status: PLATFORM_ERROR_STATUS[code],
});

/**
 * The platform's errors every route of a kind can answer with: the auth guard's refusals on authenticated
 * routes, the validation pipe's on routes taking input, the JSON parser's on routes taking a JSON body.
 */
export function platformErrorsOf(access: RouteAccess, op: Operation): DocumentedError[] {
  const errors: DocumentedError[] = [];
  if ((op.parameters?.length ?? 0) > 0 || op.requestBody) errors.push(platform('validation_failed'));
  if (op.requestBody?.content?.['application/json']) errors.push(platform('malformed_json'));
  if (access.public) return errors;
  // A device's route: a handset's certificate (mutual TLS), or a desktop's access token + DPoP proof — its
  // token invalid or expired (401 unauthenticated), or the device policy in force forbidding desktops (403
  // forbidden), asked before whether the route takes desktops at all.
  if (access.scope === 'device') {
    errors.push(
      platform('device_certificate_required'),
      platform('device_certificate_refused'),
      platform('malformed_client_certificate'),
      platform('dpop_proof_invalid'),
      platform('dpop_binding_failed'),
      platform('unauthenticated'),
      platform('forbidden'),
    );
    return errors;
  }
  errors.push(platform('unauthenticated'), platform('forbidden'));
  // Any bearer token may be bound to a device certificate (RFC 8705), checked on every route; a token bound
  // to a desktop's DPoP key (RFC 9449) serves its device routes only.
  errors.push(
    platform('certificate_binding_failed'),
    platform('malformed_client_certificate'),
    platform('dpop_binding_failed'),
  );
  if (access.amr?.length || access.anyAmr?.length) errors.push(platform('insufficient_authentication'));
  if ((access.scope ?? 'national') === 'national')
    errors.push(platform('national_only'), platform('operator_route_on_device_port'));
  return errors;
}

/** A 429 says when to come back (the exceptions filter sets it from the error's `retryAfterSeconds`). */
const RETRY_AFTER = {
  'Retry-After': {
    description: 'Seconds to wait before trying again (RFC 9110 §10.2.3).',
    schema: { type: 'integer', minimum: 1 },
  },
} as const;

/**
 * Writes each 4xx status an operation can answer with, its `code` an enum of the stable codes it documents
 * (ErrorReply narrowed), so generated clients and the CLI know every code a call may return.
 */
export function documentErrors(op: Operation, errors: readonly DocumentedError[]): void {
  const byStatus = new Map<number, Set<string>>();
  for (const e of errors)
    if (e.status >= 400 && e.status < 500)
      byStatus.set(e.status, (byStatus.get(e.status) ?? new Set()).add(e.code));
  op.responses ??= {};
  for (const [status, codes] of byStatus) {
    const list = [...codes].sort();
    const existing = op.responses[String(status)];
    op.responses[String(status)] = {
      description: existing?.description ?? list.map((c) => `\`${c}\``).join(', '),
      ...(status === 429 ? { headers: RETRY_AFTER } : {}),
      content: {
        'application/json': {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/ErrorReply' },
              { type: 'object', properties: { code: { type: 'string', enum: list } } },
            ],
          },
        },
      },
    };
  }
}
