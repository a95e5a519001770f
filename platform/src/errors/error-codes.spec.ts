import { Controller, Get } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { declaredErrorCodes, ErrorCodes } from './error-codes.js';

const MAP = { not_found: 404, conflict: 409, rate_limited: 429 } as const;
/** What a rate-limit decorator adds beside the route's own codes. */
const Limited = () => ErrorCodes(MAP, 'rate_limited');

@Controller('x')
@ErrorCodes(MAP, 'conflict')
class Routes {
  @Get('a')
  @ErrorCodes(MAP, 'not_found')
  @Limited()
  a() {}

  @Get('b')
  @Limited()
  @ErrorCodes(MAP, 'not_found', 'rate_limited')
  b() {}
}

describe('declared error codes', () => {
  it('adds up several declarations on one route, in any order, once each, after its controller’s', () => {
    const declared = declaredErrorCodes([Routes]);
    expect(declared.get('Routes.a')).toEqual([
      { code: 'conflict', status: 409 },
      { code: 'rate_limited', status: 429 },
      { code: 'not_found', status: 404 },
    ]);
    expect(declared.get('Routes.b')).toEqual([
      { code: 'conflict', status: 409 },
      { code: 'not_found', status: 404 },
      { code: 'rate_limited', status: 429 },
    ]);
  });
});
