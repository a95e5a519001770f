import 'reflect-metadata';
import type { Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { loadCoreNetworkConfig, NetworkSpecService } from '@pakawaaz/core-network';
import { loadDeviceMgmtConfig } from '@pakawaaz/device-mgmt';
import { loadHardenedOsConfig } from '@pakawaaz/hardened-os';
import { loadAppStoreConfig } from '@pakawaaz/app-store';
import { ChatSocketServer, loadSecureChatConfig } from '@pakawaaz/secure-chat';
import {
  RadiusListener,
  FirstStartService,
  loadIdentityConfig,
  type FirstStartResult,
} from '@pakawaaz/identity';
import {
  AllExceptionsFilter,
  DEVICE_EDGE_TLS,
  DPOP_SETTINGS,
  loadPlatformConfig,
  PageConnectSources,
  type DeviceEdgeTls,
  type DpopSettings,
  type Env,
  type Logger,
  type PlatformConfig,
  type PlatformResources,
  type ProcessPeers,
} from '@pakawaaz/platform';
import { AppModule } from './app.module.js';
import { DOMAINS, type DomainConfigs } from './domains.js';
import { openResources } from './resources.js';
import { startNetworkMonitor } from './network-monitor.js';
import {
  createFastifyAdapter,
  installHooks,
  sendNocIndex,
  serveNoc,
  wantsNocPage,
} from './http/fastify-setup.js';
import { installInputRules } from './http/input-rules.js';
import { loadTls, warnIfExpiring, warnIfInsecure } from './http/tls.js';
import { dpopOriginsAtStart } from './http/public-origins.js';
import {
  DevicePortStatus,
  openDevicePort,
  type DevicePortState,
  type UpgradeHandler,
} from './http/device-port.js';
import { seedDemoApps } from './demo-apps.js';
import { startDemoFleet, type DemoFleetState } from './demo-fleet.js';
import { buildOpenApi } from './http/openapi.js';
import { NestPinoLogger } from './http/nest-logger.js';
import { VERSION } from './version.js';

export type RunningServer = {
  app: NestFastifyApplication;
  config: PlatformConfig;
  url: string;
  firstStart: FirstStartResult;
  nocServed: boolean;
  /** Bound RADIUS ports, or null when RADIUS_ENABLED=false. */
  radius: { authPort: number; acctPort: number } | null;
  /** The device port (mutual TLS for handsets): its URL, or why it is not open. */
  devicePort: DevicePortState;
  /** The embedded demo's simulated handsets (a child process), or why they are not running. */
  demoFleet: DemoFleetState;
  /** Reads the device CAs and the device port's server certificate again (a timer does it anyway). */
  refreshDeviceTls(): Promise<void>;
  close(): Promise<void>;
};

export type StartOptions = {
  env?: Env;
  cwd?: string;
  logger?: Logger;
  listen?: boolean;
  /** Called if the embedded database's thread dies while the server runs (main.ts shuts down, exit code 1). */
  onDatabaseFailure?: (err: Error) => void;
  /** Extra providers of the composition root (the e2e tests bind ports' doubles with it). */
  providers?: readonly Provider[];
  /** The host's other server processes (PAKAWAAZ_PROCESSES > 1); by default this process answers alone. */
  peers?: ProcessPeers;
  /** The platform configuration main.ts has already parsed from `env`: not parsed again. */
  config?: PlatformConfig;
};

/** Creates the Nest application on Fastify around opened resources (no listening, no seeding). */
export async function createApp(
  resources: PlatformResources,
  env: Env,
  providers: readonly Provider[] = [],
): Promise<{ app: NestFastifyApplication; nocServed: boolean; domains: DomainConfigs }> {
  const { config, logger, metrics } = resources;
  const identity = loadIdentityConfig(env, config);
  const domains = {
    coreNetwork: loadCoreNetworkConfig(env, config),
    hardenedOs: loadHardenedOsConfig(env, config),
    deviceMgmt: loadDeviceMgmtConfig(env, config),
    appStore: loadAppStoreConfig(env, config),
    secureChat: loadSecureChatConfig(env, config),
  };
  const https = loadTls(config);
  warnIfInsecure(config, https, resources.logger);
  warnIfExpiring(https, resources.logger);
  const adapter = createFastifyAdapter({ bodyLimit: config.BODY_LIMIT_BYTES, https });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ resources, identity, domains, providers }),
    adapter,
    {
      logger: new NestPinoLogger(logger),
      abortOnError: false,
      bodyParser: false,
    },
  );
  const instance = app.getHttpAdapter().getInstance();
  const pageSources = app.get(PageConnectSources);
  installHooks(instance, logger, metrics, () => pageSources.list());
  installInputRules(instance);
  const nocServed = await serveNoc(instance);
  app.useGlobalFilters(
    new AllExceptionsFilter(logger, {
      onNotFound: (req, reply) => nocServed && wantsNocPage(req) && (sendNocIndex(reply), true),
    }),
  );
  SwaggerModule.setup('docs', app, () => buildOpenApi(app, VERSION), {
    jsonDocumentUrl: 'docs/openapi.json',
    ui: true,
  });
  await app.init();
  return { app, nocServed, domains };
}

/** Starts the whole control plane: the `npm start` path and the e2e tests' path. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const resources = await openResources(
    options.config ?? loadPlatformConfig(env, options.cwd ?? process.cwd(), DOMAINS),
    options.logger,
    options.onDatabaseFailure,
  );
  if (options.peers) resources.peers = options.peers;
  const { config } = resources;
  let app: NestFastifyApplication | undefined;
  try {
    const created = await createApp(resources, env, options.providers);
    app = created.app;
    const firstStart = await app.get(FirstStartService).run();
    let stopMonitor = async () => {};
    if (config.PAKAWAAZ_DOMAINS.includes('core-network')) {
      await app.get(NetworkSpecService).ensureDemoSpec();
      stopMonitor = await startNetworkMonitor(app, created.domains.coreNetwork);
    }
    // Demo data, not the service: a seed that fails is logged, the next start resumes it.
    await seedDemoApps({ app, config, deviceMgmt: created.domains.deviceMgmt }).catch((err: unknown) =>
      resources.logger.warn({ err }, 'the demo apps could not be seeded'),
    );
    if (options.listen !== false) await app.listen({ port: config.PORT, host: config.HOST });
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
    const scheme = config.PAKAWAAZ_TLS_CERT_FILE ? 'https' : 'http';
    const running = app;
    // Fastify's own request handler: the device port serves the same routes, hooks and guard.
    const instance = app.getHttpAdapter().getInstance();
    const upgrade = chatUpgrade(app, config.PAKAWAAZ_DOMAINS.includes('secure-chat'));
    app.getHttpServer().on('upgrade', upgrade);
    const devicePort = await openDevicePort({
      config,
      edge: optional<DeviceEdgeTls>(app, DEVICE_EDGE_TLS),
      handler: (req, res) => instance.routing(req, res),
      upgrade,
      logger: resources.logger,
      listen: options.listen !== false,
    });
    app.get(DevicePortStatus).state = devicePort.state;
    // What a desktop's DPoP proof may name in `htu`: the configured public origins, else the listeners' own.
    const ports = { main: port, device: devicePort.state.open ? devicePort.state.port : null };
    app.get<DpopSettings>(DPOP_SETTINGS).origins = dpopOriginsAtStart(
      config,
      ports,
      loadTls(config)?.cert,
      resources.logger,
    );
    const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const demoFleet = await startDemoFleet({
      app,
      config: created.domains.deviceMgmt,
      apiUrl: url,
      devicePort: devicePort.state,
      logger: resources.logger,
    }).catch(async (err: unknown) => {
      await devicePort.close();
      throw err;
    });
    return {
      app: running,
      config,
      url,
      firstStart,
      nocServed: created.nocServed,
      radius: app.get(RadiusListener).ports(),
      devicePort: devicePort.state,
      demoFleet: demoFleet.state,
      refreshDeviceTls: () => devicePort.refresh(),
      close: async () => {
        // The handsets first: they stop checking in before the ports they use close.
        await demoFleet.close();
        await devicePort.close();
        await shutdown(running, resources, stopMonitor);
      },
    };
  } catch (err) {
    if (app) await app.close().catch(() => undefined);
    await resources.eventBus.close().catch(() => undefined);
    await resources.keys.close().catch(() => undefined);
    await resources.database.close().catch(() => undefined);
    throw err;
  }
}

/** A binding some node may lack (a port of a domain it does not serve): undefined then. */
function optional<T>(app: NestFastifyApplication, token: symbol): T | undefined {
  try {
    return app.get<T>(token, { strict: false });
  } catch {
    return undefined;
  }
}

/** Graceful shutdown: stop accepting and drain HTTP, then the event bus, then the database, then flush logs. */
async function shutdown(
  app: NestFastifyApplication,
  resources: PlatformResources,
  stopMonitor: () => Promise<void>,
): Promise<void> {
  await app.close();
  await stopMonitor();
  await resources.eventBus.close();
  await resources.keys.close();
  await resources.database.close();
  resources.logger.flush();
}

/**
 * The listeners' WebSocket upgrades: the chat socket's path goes to secure chat (when served here); any other
 * upgrade is answered 404 and closed, so no socket is left hanging.
 */
function chatUpgrade(app: NestFastifyApplication, served: boolean): UpgradeHandler {
  const chat = served ? app.get(ChatSocketServer) : undefined;
  return (req, socket, head) => {
    if (chat?.handleUpgrade(req, socket, head)) return;
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  };
}
