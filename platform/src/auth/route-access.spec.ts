import { Controller, Get, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { AnyRole, Public, Roles, RouteScope } from './auth.decorators.js';
import { listRoutes, RouteScopeCheck, unclassifiedRoutes } from './route-access.js';
import { DiscoveryModule } from '@nestjs/core';

@Controller('things')
@RouteScope('institution')
@Roles('viewer')
class ThingsController {
  @Get()
  list(): void {}

  @Post()
  @RouteScope('national')
  @Roles('super-admin')
  create(): void {}

  /** Not a route: no HTTP method decorator. */
  helper(): void {}
}

@Controller('loose')
class LooseController {
  @Get('health')
  @Public()
  health(): void {}

  @Get()
  @AnyRole()
  forgotten(): void {}
}

describe('route access as data', () => {
  it('resolves each handler like the guard: the handler over its controller', () => {
    expect(listRoutes([ThingsController])).toEqual([
      {
        controller: 'ThingsController',
        method: 'list',
        access: { public: false, scope: 'institution', roles: ['viewer'], amr: undefined, anyAmr: undefined },
      },
      {
        controller: 'ThingsController',
        method: 'create',
        access: {
          public: false,
          scope: 'national',
          roles: ['super-admin'],
          amr: undefined,
          anyAmr: undefined,
        },
      },
    ]);
  });

  it('names the non-public routes nobody classified', () => {
    expect(unclassifiedRoutes(listRoutes([ThingsController, LooseController]))).toEqual([
      'LooseController.forgotten',
    ]);
  });

  it('stops the application at start-up while a route is unclassified', async () => {
    @Module({ imports: [DiscoveryModule], controllers: [LooseController], providers: [RouteScopeCheck] })
    class Broken {}
    const start = NestFactory.createApplicationContext(Broken, { logger: false, abortOnError: false });
    await expect(start).rejects.toThrow(/Routes without a scope classification: LooseController\.forgotten/);

    @Module({ imports: [DiscoveryModule], controllers: [ThingsController], providers: [RouteScopeCheck] })
    class Fine {}
    const app = await NestFactory.createApplicationContext(Fine, { logger: false, abortOnError: false });
    await app.close();
  });
});
