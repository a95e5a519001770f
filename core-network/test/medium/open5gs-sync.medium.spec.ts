import { AuditService, InProcessEventBus, type DomainEvent } from '@pakawaaz/platform';
import { Int32 } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSim, testLogger } from '@pakawaaz/test-support';
import { Open5gsExportService } from '../../src/open5gs/subscribers/open5gs-export.service.js';
import { Open5gsExportsRepository } from '../../src/open5gs/subscribers/open5gs-exports.repository.js';
import { Open5gsSyncService } from '../../src/open5gs/subscribers/open5gs-sync.service.js';
import type { SubscribersRepository } from '../../src/subscribers/subscribers.repository.js';
import type { SubscribersService } from '../../src/subscribers/subscribers.service.js';
import { coreNetworkFixture, testOperator, type CoreNetworkFixture } from '../support/fixture.js';
import { STORE_HARNESSES, type StoreUnderTest } from '../support/open5gs-store-harness.js';

const op = testOperator;
const ctx = { principal: op, requestId: null };
const sims = [fakeSim(1), fakeSim(2), fakeSim(3)];

/*
 * The reconciler end to end, over each Open5GS store: the in-memory collection always, a real MongoDB when
 * OPEN5GS_MONGODB_URL is set (the same cases).
 */
for (const harness of STORE_HARNESSES)
  describe.skipIf(!harness.available)(`Open5GS subscriber sync (${harness.name})`, () => {
    let fx: CoreNetworkFixture;
    let t: StoreUnderTest;
    let sync: Open5gsSyncService;
    let subscribers: SubscribersService;
    let subsRepo: SubscribersRepository;
    const events: DomainEvent[] = [];
    const stored = (imsi: string) => t.raw.findOne({ imsi }, { promoteValues: false });

    beforeAll(async () => {
      fx = await coreNetworkFixture({ open5gsMongoUrl: 'mongodb://unused.invalid/open5gs' });
      await fx.importSims(sims);
      await fx.bus.subscribe('test', 'core-network.open5gs.>', (e) => {
        events.push(e);
        return Promise.resolve();
      });
      subsRepo = fx.subscribersRepo;
      subscribers = fx.subscribers;
      for (const s of sims.slice(0, 2)) {
        fx.directory.add({ userId: `u-${s.imsi}`, username: `u-${s.imsi}`, displayName: 'Official' });
        await subscribers.assign({ imsi: s.imsi, official: `u-${s.imsi}` }, ctx);
      }
      t = await harness.open();
      sync = new Open5gsSyncService(fx.config, testLogger, fx.bus, subsRepo, fx.secrets(), () =>
        Promise.resolve(t.store),
      );
    });
    afterAll(async () => {
      await t?.close();
      await fx?.close();
    });

    it('pushes every assigned subscriber with its secrets, and marks them synced', async () => {
      const report = await sync.sync();
      expect(report.error).toBeNull();
      expect(report).toMatchObject({ ok: true, upserted: 2, deleted: 0, drift: [], unmanaged: [] });
      const doc = (await stored(sims[0]!.imsi)) as {
        security: { k: string; opc: string };
        subscriber_status: { value: number };
      };
      expect(doc.security.k.toLowerCase()).toBe(sims[0]!.k);
      expect(doc.security.opc.toLowerCase()).toBe(sims[0]!.opc);
      expect(doc.subscriber_status.value).toBe(0);
      expect((await subsRepo.find(sims[0]!.imsi))?.syncedVersion).toBe(1);
    });

    it('is idempotent: a second pass writes nothing', async () => {
      expect(await sync.sync()).toMatchObject({ ok: true, upserted: 0, unchanged: 2, drift: [] });
    });

    it('removes a barred subscriber from Open5GS (denies 4G and 5G) and re-creates it on unbar', async () => {
      await subscribers.bar(sims[1]!.imsi, 'lost', ctx);
      expect(await sync.sync()).toMatchObject({ deleted: 1, drift: [] });
      expect(await stored(sims[1]!.imsi)).toBeNull();
      expect((await subsRepo.find(sims[1]!.imsi))?.syncedVersion).toBe(2);
      expect(await sync.sync()).toMatchObject({ deleted: 0, upserted: 0, unmanaged: [] });
      await subscribers.unbar(sims[1]!.imsi, 'found', ctx);
      expect(await sync.sync()).toMatchObject({ upserted: 1, drift: [] });
      expect((await stored(sims[1]!.imsi))?.['subscriber_status']).toEqual(new Int32(0));
    });

    it('reports and repairs a document changed behind our back, and never deletes unknown ones', async () => {
      await t.raw.updateOne(
        { imsi: sims[0]!.imsi },
        { $set: { ambr: { downlink: { value: 9, unit: 3 }, uplink: { value: 9, unit: 3 } } } },
      );
      await t.raw.insertOne({ imsi: '001019999999999', security: {} });
      const report = await sync.sync();
      expect(report.drift).toEqual([{ imsi: sims[0]!.imsi, kind: 'modified', fields: ['ambr'] }]);
      expect(report.unmanaged).toEqual(['001019999999999']);
      expect(await stored('001019999999999')).not.toBeNull();
      expect(
        ((await stored(sims[0]!.imsi)) as { ambr: { downlink: { value: Int32 } } }).ambr.downlink.value,
      ).toEqual(new Int32(1));
      await expect.poll(() => events.map((e) => e.type)).toContain('core-network.open5gs.drift-detected');
    });

    it('deletes an unassigned subscriber from Open5GS once', async () => {
      await subscribers.unassign(sims[0]!.imsi, ctx);
      expect(await sync.sync()).toMatchObject({ deleted: 1 });
      expect(await stored(sims[0]!.imsi)).toBeNull();
      expect(await sync.sync()).toMatchObject({ deleted: 0 });
    });

    it('exports mongoimport NDJSON of every subscriber and the deletions, audited, to a signed-in operator', async () => {
      const exporter = new Open5gsExportService(
        sync,
        subsRepo,
        new Open5gsExportsRepository(fx.db.handle),
        new AuditService(fx.db.handle),
      );
      await expect(exporter.export(op, 'req')).rejects.toMatchObject({ code: 'forbidden' });
      // The service checks roles itself, not only the route's guard: an official with no role learns nothing.
      await expect(exporter.status({ ...op, roles: [] })).rejects.toMatchObject({ code: 'forbidden' });
      const out = await exporter.export({ ...op, sessionId: 'session-1' }, 'req');
      expect(out).toMatchObject({ documents: 1, deletions: 0, by: { name: 'op' } });
      const line = JSON.parse(out.subscribers.trim()) as { imsi: string };
      expect(line.imsi).toBe(sims[1]!.imsi);
      const audit = await new AuditService(fx.db.handle).page({
        limit: 5,
        action: 'core-network.open5gs.exported',
      });
      expect(audit.entries[0]?.details).toEqual({ count: 1, deletions: 0, exportId: out.id });
    });

    it('reports a failed pass without throwing', async () => {
      const broken = new Open5gsSyncService(
        {
          kekFile: '',
          open5gsMongoUrl: 'mongodb://x',
          open5gsSyncIntervalMs: 1e6,
          simImportMaxBytes: 1,
          simImportMaxRows: 1,
          seedDemo: false,
          monitor: 'off' as const,
        },
        testLogger,
        new InProcessEventBus(testLogger),
        subsRepo,
        {} as never,
        () => Promise.reject(new Error('Cannot reach Open5GS MongoDB at mongodb://x')),
      );
      expect(await broken.sync()).toMatchObject({
        ok: false,
        error: 'Cannot reach Open5GS MongoDB at mongodb://x',
      });
    });
  });
