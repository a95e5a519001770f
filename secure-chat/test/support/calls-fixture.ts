import { randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  AppError,
  AuditService,
  FileKeyBackend,
  KeyService,
  NATIONAL_SCOPE,
  type DevicePrincipal,
  type DomainEvent,
  type EventBus,
  type Principal,
} from '@pakawaaz/platform';
import { testLogger, type TestDatabase } from '@pakawaaz/test-support';
import { openCallsSecrets } from '../../src/calls/media-hosts/calls-secrets.js';
import { startEmbeddedJanus, type EmbeddedJanusOptions } from '../../src/calls/media-hosts/embedded-janus.js';
import { HostHealthService } from '../../src/calls/media-hosts/host-health.service.js';
import { MediaHostsRepository } from '../../src/calls/media-hosts/media-hosts.repository.js';
import { MediaHostsService } from '../../src/calls/media-hosts/media-hosts.service.js';
import { CallReaperService } from '../../src/calls/rooms/call-reaper.service.js';
import { CallRoomsService } from '../../src/calls/rooms/call-rooms.service.js';
import { CallsRepository } from '../../src/calls/rooms/calls.repository.js';
import { CallsService } from '../../src/calls/rooms/calls.service.js';
import { CallNotifier, type CallSignalSink } from '../../src/calls/signalling/call-notifier.js';
import { CallRingsRepository } from '../../src/calls/signalling/call-rings.repository.js';
import { CallSignallingService } from '../../src/calls/signalling/call-signalling.service.js';
import { TurnService } from '../../src/calls/turn/turn.service.js';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { RemovalsRepository } from '../../src/membership/removals.repository.js';

/** Shared pieces of the calls medium tests: real Janus processes, and the services wired by hand. */
export const device = (institutionId: string): DevicePrincipal => ({
  deviceId: randomUUID(),
  userId: randomUUID(),
  institutionId,
  certThumbprint: 'x',
  compliance: 'compliant',
});

export const mediaAdmin: Principal = {
  actor: { type: 'operator', id: 'noc-operator' },
  name: 'noc',
  roles: ['media-admin'],
  institutionId: null,
  scope: NATIONAL_SCOPE,
  amr: ['pwd'],
  acr: 'aal1',
  tokenId: 'jti',
};

export async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (err instanceof AppError) return err.code;
  throw new Error(`expected an AppError, got ${String(err)}`);
}

export async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const startJanus = (
  binary: string,
  dir: string,
  extra: Pick<EmbeddedJanusOptions, 'listenIp' | 'wrap'> = {},
) =>
  startEmbeddedJanus(binary, {
    ...extra,
    binary,
    libDir: `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/janus`,
    dir,
    wsPort: 0,
    adminPort: 0,
    rtpPorts: '20000-29999',
    startTimeoutMs: 30_000,
  });

export type CallsLimits = {
  maxParticipants: number;
  maxStartedPerDevice: number;
  idleMs: number;
  /** Ring time of the signalling (read at each invite: a test may change it). */
  ringMs?: number;
};

/** The calls services over a test database, as the module wires them (events into `published`). */
export async function wireCalls(db: TestDatabase, dir: string, limits: CallsLimits, sink?: CallSignalSink) {
  const published: DomainEvent[] = [];
  const keys = new KeyService(new FileKeyBackend(), testLogger);
  const secrets = await openCallsSecrets(keys, db.handle, path.join(dir, 'calls-secrets.key'));
  const repo = new MediaHostsRepository(db.handle);
  const audit = new AuditService(db.handle);
  const hosts = new MediaHostsService(repo, secrets, audit);
  const callsRepo = new CallsRepository(db.handle);
  const delivery = new DeliveryRepository(db.handle);
  const notifier = sink ? new CallNotifier(delivery, sink) : undefined;
  const bus = { publish: (e: DomainEvent) => Promise.resolve(void published.push(e)) } as unknown as EventBus;
  const rooms = new CallRoomsService(callsRepo, repo, hosts, secrets, audit, testLogger, notifier);
  const reaper = new CallReaperService(callsRepo, rooms, repo, hosts, secrets, limits, testLogger);
  const health = new HostHealthService(
    repo,
    hosts,
    callsRepo,
    { healthMs: 300 },
    bus,
    testLogger,
    undefined,
    undefined,
    reaper,
    notifier,
  );
  const removals = new RemovalsRepository(db.handle);
  const calls = new CallsService(
    callsRepo,
    rooms,
    hosts,
    delivery,
    removals,
    new TurnService({ turn: null }),
    secrets,
    limits,
  );
  const signalling = notifier
    ? new CallSignallingService(
        callsRepo,
        new CallRingsRepository(db.handle),
        delivery,
        calls,
        rooms,
        notifier,
        limits as { ringMs: number },
        testLogger,
        { institutionOf: () => Promise.resolve(null) },
      )
    : undefined;
  return {
    published,
    secrets,
    repo,
    hosts,
    callsRepo,
    rooms,
    reaper,
    health,
    delivery,
    removals,
    calls,
    signalling,
  };
}

/** A chat group whose members are these devices. */
export async function groupOf(delivery: DeliveryRepository, groupId: string, members: DevicePrincipal[]) {
  await delivery.db.transaction(async (tx) => {
    await delivery.insertGroup(
      { groupId, epoch: 0n, groupInfo: Buffer.from('gi'), createdBy: members[0]!.deviceId },
      tx,
    );
    await delivery.replaceMembers(
      groupId,
      members.map((d, leafIndex) => ({ leafIndex, deviceId: d.deviceId, userId: d.userId })),
      tx,
    );
  });
}
