import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODE_MAPS } from './openapi-errors.js';

/*
 * The committed contract documents the errors of every operation (`npm run openapi` writes them from the
 * routes' @ErrorCodes and the platform's guards; the drift check keeps the file in step with the code).
 */
type Op = {
  operationId: string;
  parameters?: unknown[];
  requestBody?: unknown;
  'x-pakawaaz-scope': string;
  'x-pakawaaz-devices'?: string[];
  security?: unknown[];
  responses: Record<
    string,
    { headers?: Record<string, unknown>; content?: Record<string, { schema?: { allOf?: unknown[] } }> }
  >;
};
const doc = JSON.parse(readFileSync(new URL('../../../openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Op>>;
  components: { schemas: Record<string, { enum?: string[] }> };
};
const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
);
const CODE_MAPS = Object.values(ERROR_CODE_MAPS);

/** The codes a response documents: the enum of its ErrorReply's `code`. */
function codesOf(op: Op, status: string): string[] {
  const allOf = op.responses[status]?.content?.['application/json']?.schema?.allOf ?? [];
  return allOf.flatMap(
    (s) => (s as { properties?: { code?: { enum?: string[] } } }).properties?.code?.enum ?? [],
  );
}

describe('the OpenAPI contract documents errors', () => {
  it('has operations to check', () => expect(operations.length).toBeGreaterThan(50));

  const scope = (o: (typeof operations)[number]) => o.op['x-pakawaaz-scope'];
  it.each(operations.filter((o) => scope(o) !== 'public' && scope(o) !== 'device'))(
    '$name: 401 unauthenticated, certificate_binding_failed and 403 forbidden',
    ({ op }) => {
      expect(codesOf(op, '401')).toContain('unauthenticated');
      // Any bearer token may be bound to a device certificate (RFC 8705).
      expect(codesOf(op, '401')).toContain('certificate_binding_failed');
      // A token bound to a desktop's DPoP key (RFC 9449) is refused as a bearer token.
      expect(codesOf(op, '401')).toContain('dpop_binding_failed');
      expect(codesOf(op, '403')).toContain('forbidden');
    },
  );

  it.each(operations.filter((o) => scope(o) === 'device'))(
    '$name (device): 401 device_certificate_required/refused or a desktop’s refusals, no bearer codes',
    ({ op }) => {
      // A handset's certificate, or a desktop's token with its DPoP proof (refused: dpop_proof_invalid; its
      // token invalid or expired: unauthenticated), checked against the device policy in force (forbidden).
      expect(codesOf(op, '401')).toEqual([
        'device_certificate_refused',
        'device_certificate_required',
        'dpop_binding_failed',
        'dpop_proof_invalid',
        'unauthenticated',
      ]);
      expect(codesOf(op, '403')).toContain('forbidden');
      expect(codesOf(op, '400')).toContain('malformed_client_certificate');
      // A handset's certificate always; a desktop's DPoP-bound token where the route lets desktops in.
      const devices = op['x-pakawaaz-devices'] ?? [];
      expect(devices[0]).toBe('handset');
      expect(op.security).toEqual(
        devices.includes('desktop') ? [{ mutualTLS: [] }, { dpop: [] }] : [{ mutualTLS: [] }],
      );
    },
  );

  it('says which kinds of device each device operation lets in', () => {
    const devices = (name: string) => operations.find((o) => o.name === name)?.op['x-pakawaaz-devices'];
    // Fleet routes are the handsets' own; chat delivery also serves officials' browsers and e-Office bots.
    expect(devices('POST /api/v1/device/check-in')).toEqual(['handset']);
    expect(devices('POST /api/v1/chat/groups/{groupId}/messages')).toEqual(['handset', 'desktop', 'bot']);
    expect(devices('POST /api/v1/chat/device/files')).toEqual(['handset', 'desktop']);
    for (const o of operations.filter((x) => scope(x) !== 'device'))
      expect(o.op['x-pakawaaz-devices'], o.name).toBeUndefined();
  });

  it.each(operations.filter((o) => (o.op.parameters?.length ?? 0) > 0 || o.op.requestBody))(
    '$name: 400 validation_failed (it takes input)',
    ({ op }) => expect(codesOf(op, '400')).toContain('validation_failed'),
  );

  it.each(operations.filter((o) => codesOf(o.op, '429').length > 0))(
    '$name: a 429 documents Retry-After',
    ({ op }) => expect(Object.keys(op.responses['429']?.headers ?? {})).toEqual(['Retry-After']),
  );

  it('documents the device certificate renewal’s rate limit', () => {
    const renew = doc.paths['/api/v1/device/certificate']?.post;
    expect(renew && codesOf(renew, '429')).toEqual(['renewal_rate_limited']);
  });

  it('lists every domain code as an enum component', () => {
    for (const [name, map] of Object.entries(ERROR_CODE_MAPS))
      expect(doc.components.schemas[name]?.enum).toEqual(Object.keys(map).sort());
  });

  it('every documented code is a stable code of a domain, under the status its code map gives it', () => {
    const wrong = operations.flatMap(({ name, op }) =>
      Object.keys(op.responses)
        .filter((s) => s.startsWith('4'))
        .flatMap((status) =>
          codesOf(op, status)
            .filter((code) => !CODE_MAPS.some((m) => m[code] === Number(status)))
            .map((code) => `${name} ${status} ${code}`),
        ),
    );
    expect(wrong).toEqual([]);
  });
});
