import type { Type } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { HttpStatus } from './app-error.js';

export const ERROR_CODES = 'pakawaaz:error-codes';

/** A stable error code a route may answer with, and its status (from the domain's code map). */
export type DocumentedError = { readonly code: string; readonly status: HttpStatus };

/**
 * Declares the domain error codes a route (or, on a controller, each of its routes) may answer with, for the
 * OpenAPI document. The codes are checked against the domain's exhaustive code map when it compiles: a code
 * the map does not hold is a type error, and its status always comes from the map.
 */
export function ErrorCodes<const M extends Record<string, HttpStatus>>(
  map: M,
  ...codes: readonly (keyof M & string)[]
): ClassDecorator & MethodDecorator {
  const declared = codes.map((code): DocumentedError => ({ code, status: map[code] as HttpStatus }));
  // Several on one target add up (a decorator such as a rate limit's declares its own code beside the route's).
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor): void => {
    const on = (descriptor?.value as object | undefined) ?? target;
    const before = (Reflect.getMetadata(ERROR_CODES, on) as DocumentedError[] | undefined) ?? [];
    const added = declared.filter((d) => !before.some((b) => b.code === d.code));
    Reflect.defineMetadata(ERROR_CODES, [...before, ...added], on);
  };
}

/** The codes each route declares (its controller's, then its own), keyed `Controller.method`. */
export function declaredErrorCodes(
  controllers: readonly Type[],
  reflector = new Reflector(),
): Map<string, readonly DocumentedError[]> {
  const out = new Map<string, readonly DocumentedError[]>();
  for (const controller of controllers) {
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
      if (name === 'constructor' || typeof handler !== 'function') continue;
      if (!Reflect.hasMetadata(METHOD_METADATA, handler)) continue;
      const declared = reflector.getAllAndMerge<DocumentedError[]>(ERROR_CODES, [controller, handler]);
      out.set(`${controller.name}.${name}`, declared);
    }
  }
  return out;
}
