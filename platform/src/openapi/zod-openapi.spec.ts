import { DECORATORS } from '@nestjs/swagger';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { named, openApiComponents, ZodBody, ZodResponse, ZodValidationPipe } from './zod-openapi.js';

function failure(pipe: ZodValidationPipe<z.ZodType>, value: unknown): AppError {
  try {
    pipe.transform(value);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected validation to fail');
}

describe('ZodValidationPipe', () => {
  const query = z.object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    action: z.string().optional(),
    filter: z.object({ imsis: z.array(z.string().regex(/^\d{15}$/)) }).optional(),
  });
  const pipe = new ZodValidationPipe(query);

  it('returns the parsed value with coercion and defaults applied', () => {
    expect(pipe.transform({ limit: '20' })).toEqual({ limit: 20 });
    expect(pipe.transform({})).toEqual({ limit: 50 });
  });

  it('strips unknown keys instead of passing them on to the handler', () => {
    expect(pipe.transform({ limit: '5', isAdmin: true })).toEqual({ limit: 5 });
  });

  it('throws 400 validation_failed naming each failing path in the message and details', () => {
    const err = failure(pipe, { limit: '500', filter: { imsis: ['001010000000001', 'nope'] } });
    expect(err.code).toBe('validation_failed');
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/limit: /);
    expect(err.message).toMatch(/filter\.imsis\.1: /);
    expect(err.details).toEqual([
      { path: 'limit', message: expect.any(String) as string },
      { path: 'filter.imsis.1', message: expect.any(String) as string },
    ]);
  });

  it('names a failure of the whole value (body)', () => {
    const err = failure(new ZodValidationPipe(z.object({ a: z.string() })), 'not an object');
    expect(err.code).toBe('validation_failed');
    expect(err.message).toContain('(body)');
    expect(err.details).toEqual([{ path: '', message: expect.any(String) as string }]);
  });
});

describe('named() and openApiComponents()', () => {
  const SimView = named(
    'ZodOpenapiSpecSimView',
    z.object({
      imsi: z.string().regex(/^\d{15}$/),
      state: z.enum(['active', 'barred']),
      barredAt: z.string().nullable(),
      retries: z.number().int().min(0).default(0),
    }),
  );

  it('returns the schema unchanged, so it still validates', () => {
    expect(SimView.parse({ imsi: '001010000000001', state: 'active', barredAt: null })).toEqual({
      imsi: '001010000000001',
      state: 'active',
      barredAt: null,
      retries: 0,
    });
  });

  it('registers an OpenAPI 3.0 JSON schema under the name (output view: defaulted fields are required)', () => {
    const schema = openApiComponents().ZodOpenapiSpecSimView;
    expect(schema).toMatchObject({
      type: 'object',
      properties: {
        imsi: { type: 'string', pattern: '^\\d{15}$' },
        state: { type: 'string', enum: ['active', 'barred'] },
        // OpenAPI 3.0 has no type arrays: nullable is expressed with `nullable: true`.
        barredAt: { type: 'string', nullable: true },
        retries: { type: 'integer', minimum: 0, default: 0 },
      },
      additionalProperties: false,
    });
    expect((schema as { required: string[] }).required.sort()).toEqual([
      'barredAt',
      'imsi',
      'retries',
      'state',
    ]);
  });

  it('lists components sorted by name, so openapi.json is deterministic', () => {
    named('ZzzOpenapiSpecLast', z.string());
    named('AaaOpenapiSpecFirst', z.number());
    const names = Object.keys(openApiComponents());
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(names).toContain('AaaOpenapiSpecFirst');
    expect(names).toContain('ZzzOpenapiSpecLast');
  });

  it('documents responses and bodies with a $ref to a named schema and inline otherwise', () => {
    const Inline = z.object({ ok: z.boolean() });
    class SimsController {
      @ZodResponse(200, SimView)
      get(): void {}

      @ZodResponse(201, Inline, 'Created')
      create(@ZodBody(SimView) _body: unknown): void {}
    }
    const handler = (m: keyof SimsController) =>
      Object.getOwnPropertyDescriptor(SimsController.prototype, m)?.value as object;
    const responses = (m: keyof SimsController) =>
      Reflect.getMetadata(DECORATORS.API_RESPONSE, handler(m)) as Record<
        string,
        { schema: unknown; description: string }
      >;

    expect(responses('get')['200']?.schema).toEqual({ $ref: '#/components/schemas/ZodOpenapiSpecSimView' });
    expect(responses('create')['201']).toMatchObject({
      description: 'Created',
      schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
    });
    const params = Reflect.getMetadata(DECORATORS.API_PARAMETERS, handler('create')) as {
      in: string;
      schema: unknown;
    }[];
    expect(params.find((p) => p.in === 'body')?.schema).toEqual({
      $ref: '#/components/schemas/ZodOpenapiSpecSimView',
    });
  });
});
