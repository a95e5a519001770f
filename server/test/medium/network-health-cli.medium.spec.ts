import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Module } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { CoreNetworkModule, coreNetworkDomain, NetworkHealthService } from '@pakawaaz/core-network';
import { startNfSimulator, type NfSimulator } from '@pakawaaz/open5gs-simulator';
import {
  AllExceptionsFilter,
  AuthGuard,
  DeadLetterStore,
  FileKeyBackend,
  InProcessEventBus,
  KeyService,
  loadPlatformConfig,
  Metrics,
  PlatformModule,
  platformDomain,
  TOKEN_VERIFIER,
  type Principal,
  type TokenVerifier,
} from '@pakawaaz/platform';
import { createTestDatabase, operatorPrincipal, testLogger, type TestDatabase } from '@pakawaaz/test-support';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../../src/cli/api-client.js';
import { registerNetworkHealthCommands } from '../../src/cli/commands/network-health.js';
import type { CliContext } from '../../src/cli/context.js';
import { cliErrorFor, EXIT } from '../../src/cli/exit-codes.js';
import { DOMAINS } from '../../src/domains.js';

/*
 * `pakawaaz network health` and `pakawaaz alarms` against core-network's real routes (CoreNetworkModule on
 * a test database) monitoring the Open5GS NF simulator, one of whose NFs is down.
 */
const VIEWER = 'viewer-token-0123456789';
const ADMIN = 'admin-token-0123456789';
const TOKENS: Record<string, Principal> = {
  [ADMIN]: operatorPrincipal('noc-admin', ['network-admin']),
  [VIEWER]: operatorPrincipal('noc-viewer', ['viewer']),
};
const verifier: TokenVerifier = { verify: (token) => Promise.resolve(TOKENS[token] ?? null) };

let testDb: TestDatabase;
let bus: InProcessEventBus;
const metrics = new Metrics();
let app: NestFastifyApplication;
let base: string;
let sim: NfSimulator;
let tmp: string;

beforeAll(async () => {
  testDb = await createTestDatabase([platformDomain, coreNetworkDomain]);
  tmp = await mkdtemp(path.join(tmpdir(), 'pakawaaz-health-cli-'));
  bus = new InProcessEventBus(testLogger);
  sim = await startNfSimulator({ nfs: ['amf', 'smf', 'upf'], seed: 3 });

  @Module({
    imports: [
      PlatformModule.forRoot({
        config: loadPlatformConfig({}, process.cwd(), DOMAINS),
        logger: testLogger,
        database: testDb.handle,
        eventBus: bus,
        deadLetters: new DeadLetterStore(testDb.handle.db, metrics, testLogger),
        metrics,
        appInfo: { version: 'test', startedAt: new Date() },
        keys: new KeyService(new FileKeyBackend(), testLogger),
      }),
      CoreNetworkModule.forRoot({
        kekFile: path.join(tmp, 'kek.json'),
        open5gsMongoUrl: undefined,
        open5gsSyncIntervalMs: 3_600_000,
        simImportMaxBytes: 1024 * 1024,
        simImportMaxRows: 100_000,
        seedDemo: false,
        monitor: 'off',
      }),
    ],
    providers: [
      { provide: TOKEN_VERIFIER, useValue: verifier },
      { provide: APP_GUARD, useClass: AuthGuard },
    ],
  })
  class TestModule {}

  app = await NestFactory.create<NestFastifyApplication>(TestModule, new FastifyAdapter(), { logger: false });
  app.useGlobalFilters(new AllExceptionsFilter(testLogger));
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');

  // The default nf_down rule raises after three failed scrapes in a row.
  const monitor = app.get(NetworkHealthService);
  monitor.setTargets(sim.targets);
  await sim.nf('sim-upf').stop();
  for (let i = 0; i < 3; i++) await monitor.runOnce();
});

afterAll(async () => {
  await app?.close();
  await sim?.close();
  await bus?.close();
  await testDb?.drop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function cli(token: string, ...args: string[]): Promise<string> {
  let out = '';
  const io = {
    env: { PAKAWAAZ_URL: base, PAKAWAAZ_TOKEN: token },
    stdout: (s: string) => void (out += s),
    stderr: () => undefined,
  };
  const ctx: CliContext = {
    io,
    api: () => apiClient(io.env),
    print: (value, json, human) => io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : human()),
  };
  const program = new Command('pakawaaz').exitOverride();
  registerNetworkHealthCommands(program, ctx);
  await program.parseAsync(args, { from: 'user' });
  return out;
}

describe('pakawaaz network health / alarms (CLI)', () => {
  it('prints NF health for humans and as JSON', async () => {
    const human = await cli(VIEWER, 'network', 'health');
    expect(human).toMatch(/\[SIMULATED NFs present\]/);
    expect(human).toMatch(/sim-amf\s+amf\s+UP\s+gNBs 3 · registered UEs \d+/);
    expect(human).toMatch(/sim-upf\s+upf\s+DOWN\s+connection refused .* ALARMS: nf_down/);
    const json = JSON.parse(await cli(VIEWER, 'network', 'health', '--json')) as { nfs: unknown[] };
    expect(json.nfs).toHaveLength(3);
  });

  it('lists and acknowledges alarms', async () => {
    const list = JSON.parse(await cli(VIEWER, 'alarms', 'list', '--all', '--json')) as {
      alarms: { id: string }[];
    };
    const id = list.alarms[0]!.id;
    expect(await cli(VIEWER, 'alarms', 'list')).toMatch(
      new RegExp(`${id}  OPEN\\s+critical\\s+nf_down\\s+sim-upf`),
    );
    expect(await cli(ADMIN, 'alarms', 'ack', id)).toMatch(
      new RegExp(`^acknowledged ${id} \\(nf_down on sim-upf\\) by noc-admin`),
    );
    // The command throws the API's refusal; the CLI's entry point turns it into the message and exit code.
    const refused: unknown = await cli(VIEWER, 'alarms', 'ack', id).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toMatchObject({ status: 403, code: 'forbidden' });
    expect(cliErrorFor(refused, 'http://test')).toMatchObject({ exitCode: EXIT.denied });
  });
});
