import { Body, Query, type PipeTransform } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';
import { platformError } from '../errors/platform.errors.js';

type JsonSchema = Record<string, unknown>;

/** Named schemas become `components.schemas.<Name>` in openapi.json, so the NOC's generated client has names. */
const components = new Map<string, { schema: z.ZodType; io: 'input' | 'output' }>();

/**
 * Registers a zod schema under a component name and returns it unchanged. Request bodies are documented in
 * their input form (fields with defaults optional), responses in their output form.
 */
export function named<S extends z.ZodType>(name: string, schema: S, io: 'input' | 'output' = 'output'): S {
  // Converted when the document is built, not now: some schemas (role names) are only complete once the
  // composition root has registered every domain with the kernel.
  components.set(name, { schema, io });
  namesBySchema.set(schema, name);
  return schema;
}
const namesBySchema = new WeakMap<z.ZodType, string>();

export function openApiComponents(): Record<string, JsonSchema> {
  return Object.fromEntries(
    [...components.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, { schema, io }]) => [name, toOpenApi(schema, io)]),
  );
}

function toOpenApi(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' });
}

function refOrInline(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const name = namesBySchema.get(schema);
  return name ? { $ref: `#/components/schemas/${name}` } : toOpenApi(schema, io);
}

/** Validates a value against a zod schema; failures become 400 validation_failed with the paths at fault. */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}
  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    throw platformError(
      'validation_failed',
      'The request does not match the expected schema: ' +
        result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
      result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
}

function describeMethod(target: object, key: string | symbol | undefined, apply: MethodDecorator): void {
  if (key === undefined) throw new Error('zod request decorators apply to handler parameters only');
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (!descriptor) throw new Error(`no method ${String(key)} to document`);
  apply(target, key, descriptor);
}

/**
 * `@ZodBody(schema)`: the validated JSON body, documented in OpenAPI from the same schema. `{ optional: true }`:
 * a request may have no body at all (the handler gets undefined; the OpenAPI body is not required).
 */
export function ZodBody(schema: z.ZodType, opts: { optional?: boolean } = {}): ParameterDecorator {
  return (target, key, index) => {
    Body(new ZodValidationPipe(opts.optional ? schema.optional() : schema))(target, key, index);
    describeMethod(
      target,
      key,
      ApiBody({ schema: refOrInline(schema, 'input'), ...(opts.optional ? { required: false } : {}) }),
    );
  };
}

/** `@ZodQuery(schema)`: the validated query string (an object schema), one documented parameter per key. */
export function ZodQuery(schema: z.ZodObject): ParameterDecorator {
  return (target, key, index) => {
    Query(new ZodValidationPipe(schema))(target, key, index);
    for (const [name, field] of Object.entries(schema.shape)) {
      const fieldSchema = field as z.ZodType;
      describeMethod(
        target,
        key,
        ApiQuery({
          name,
          required: !fieldSchema.safeParse(undefined).success,
          schema: toOpenApi(fieldSchema, 'input'),
        }),
      );
    }
  };
}

/** Documents a response body with a (preferably named) zod schema. */
export function ZodResponse(status: number, schema: z.ZodType, description = 'OK'): MethodDecorator {
  return ApiResponse({ status, description, schema: refOrInline(schema, 'output') });
}

/** A date-time leaving the API as an ISO-8601 string (how JSON.stringify writes a Date), documented as such. */
export const isoDateTime = () => z.string().meta({ format: 'date-time' });
