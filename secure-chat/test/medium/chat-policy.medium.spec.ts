import { randomBytes, randomUUID } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { externalSenderExtension } from '@pakawaaz/mls';
import {
  AuditService,
  NATIONAL_SCOPE,
  platformDomain,
  sql,
  type Logger,
  type Principal,
} from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatDirectory, ChatWake } from '../../src/chat-ports.js';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { DeliveryService } from '../../src/delivery/delivery.service.js';
import { SendBatchRepository } from '../../src/delivery/send-batch.repository.js';
import { SendGroupCommit } from '../../src/delivery/send-group-commit.js';
import { GroupsService } from '../../src/groups/groups.service.js';
import { KeyPackagesRepository } from '../../src/key-packages/key-packages.repository.js';
import { KeyPackagesService } from '../../src/key-packages/key-packages.service.js';
import { ChatPolicyEnforcer } from '../../src/policy/chat-policy.enforcer.js';
import { ChatPolicyRepository } from '../../src/policy/chat-policy.repository.js';
import { ChatPolicyService } from '../../src/policy/chat-policy.service.js';
import { ChatRetentionSweep } from '../../src/policy/chat-retention-sweep.service.js';
import type { SecureChatConfig } from '../../src/secure-chat.config.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { testCa, TestDevice, TestDeviceAuthenticator, TestMember } from '../support/mls-devices.js';
import { codeOf } from '../support/app-error.js';

/*
 * Chat policies, legal hold and retention on the database the environment gives (PostgreSQL when reachable):
 * the real services with real MLS bytes; identity's directory lets everyone see everyone, so every refusal
 * here is a policy's.
 */

const A = randomUUID();
const B = randomUUID();
const C = randomUUID();
const config = {
  lowKeyPackages: 1,
  claimsPerSecond: 5,
  retentionDays: 30,
  clientIdDays: 7,
} as SecureChatConfig;

const operator = (institutionId: string | null): Principal => ({
  actor: { type: 'operator', id: `op-${institutionId ?? 'national'}` },
  name: `op-${institutionId ?? 'national'}`,
  roles: ['chat-admin'],
  institutionId,
  scope: institutionId ? { kind: 'institution', institutionIds: [institutionId] } : NATIONAL_SCOPE,
  amr: ['pwd'],
  acr: 'aal1',
  tokenId: 'jti',
});
const national = operator(null);

describe('chat policies, legal hold and retention (PostgreSQL, real MLS bytes)', () => {
  let db: TestDatabase;
  let policies: ChatPolicyService;
  let keyPackages: KeyPackagesService;
  let groups: GroupsService;
  let delivery: DeliveryService;
  let sweep: ChatRetentionSweep;
  let audit: AuditService;
  const auth = new TestDeviceAuthenticator();
  const serverKey = p256.getPublicKey(p256.utils.randomSecretKey(), false);
  const users = { alice: randomUUID(), bob: randomUUID(), carol: randomUUID(), dave: randomUUID() };
  let alice: TestDevice; // A
  let bob: TestDevice; // A
  let carol: TestDevice; // B
  let dave: TestDevice; // C
  let a: TestMember;
  let groupId: string;

  beforeAll(async () => {
    db = await createTestDatabase([platformDomain, secureChatDomain]);
    const ca = await testCa();
    const make = (userId: string, institutionId: string) =>
      TestDevice.create(ca, { deviceId: randomUUID(), userId, institutionId });
    [alice, bob, carol, dave] = await Promise.all([
      make(users.alice, A),
      make(users.bob, A),
      make(users.carol, B),
      make(users.dave, C),
    ]);
    auth.add(alice, bob, carol, dave);
    const inst: Record<string, string> = {
      [users.alice]: A,
      [users.bob]: A,
      [users.carol]: B,
      [users.dave]: C,
    };
    const directory: ChatDirectory = {
      find: (ref) => {
        const id = (users as Record<string, string>)[ref] ?? ref;
        return Promise.resolve(inst[id] ? { userId: id, institutionId: inst[id], active: true } : null);
      },
      maySee: () => Promise.resolve(true),
    };
    const wake: ChatWake = {
      queued: () => undefined,
      keyPackagesLow: () => undefined,
      removed: () => undefined,
    };
    const repo = new DeliveryRepository(db.handle);
    const policyRepo = new ChatPolicyRepository(db.handle);
    const enforcer = new ChatPolicyEnforcer(policyRepo);
    audit = new AuditService(db.handle);
    policies = new ChatPolicyService(policyRepo, audit, config);
    const kpRepo = new KeyPackagesRepository(db.handle);
    keyPackages = new KeyPackagesService(kpRepo, auth, directory, wake, config, null, undefined, enforcer);
    groups = new GroupsService(repo, directory, { signatureKey: serverKey }, wake, auth, undefined, enforcer);
    delivery = new DeliveryService(
      repo,
      new SendGroupCommit(repo, new SendBatchRepository(), wake, db.handle, null, enforcer),
    );
    const quiet = { info: () => undefined, error: () => undefined } as unknown as Logger;
    sweep = new ChatRetentionSweep(policyRepo, config, quiet);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  describe('who reads and sets policies (scope)', () => {
    it('national administrators set any institution’s policy, audited; institutions may not', async () => {
      const set = await policies.put(
        B,
        { crossInstitution: 'own-institution', allowedInstitutions: [C], retentionDays: 10 },
        national,
        'req-1',
      );
      expect(set).toMatchObject({
        institutionId: B,
        source: 'institution',
        allowedInstitutions: [],
        hold: null,
      });
      const [entry] = (await audit.page({ action: 'secure-chat.policy.changed' })).entries;
      expect(entry).toMatchObject({ target: `institution:${B}`, requestId: 'req-1' });
      const put = policies.put(
        B,
        { crossInstitution: 'directory', allowedInstitutions: [], retentionDays: 30 },
        operator(B),
        null,
      );
      expect(await codeOf(put)).toMatchObject({ code: 'national_only', status: 403 });
      expect((await codeOf(policies.setHold(B, 'own hold', operator(B), null))).code).toBe('national_only');
      expect((await codeOf(policies.releaseHold(B, operator(B), null))).code).toBe('national_only');
      expect(
        (await codeOf(policies.heldMetadata({ institution: B, limit: 10 }, operator(B), null))).code,
      ).toBe('national_only');
      const empty = { crossInstitution: 'allow-list' as const, allowedInstitutions: [], retentionDays: 30 };
      expect((await codeOf(policies.put(C, empty, national, null))).code).toBe('invalid_chat_input');
    });

    it("an institution's administrator reads its own policy, never another's", async () => {
      expect(await policies.get(B, operator(B))).toMatchObject({ crossInstitution: 'own-institution' });
      expect(await codeOf(policies.get(B, operator(A)))).toMatchObject({
        code: 'chat_policy_not_found',
        status: 404,
      });
      const mine = await policies.list(operator(A));
      expect(mine.policies).toEqual([
        expect.objectContaining({
          institutionId: A,
          source: 'default',
          crossInstitution: 'directory',
          retentionDays: 30,
        }),
      ]);
      expect((await policies.list(national)).policies.map((p) => p.institutionId)).toContain(B);
    });
  });

  describe('enforcement', () => {
    it('refuses a KeyPackage claim either way across an own-institution policy, naming whose', async () => {
      await keyPackages.upload(carol.principal, [(await carol.keyPackage()).bytes]);
      await keyPackages.upload(alice.principal, [(await alice.keyPackage()).bytes]);
      expect(await codeOf(keyPackages.claim(alice.principal, 'carol'))).toMatchObject({
        code: 'chat_policy_forbids',
        status: 403,
        details: { institutionId: B, otherInstitutionId: A },
      });
      expect(await codeOf(keyPackages.claim(carol.principal, 'alice'))).toMatchObject({
        code: 'chat_policy_forbids',
        details: { institutionId: B, otherInstitutionId: A },
      });
      await keyPackages.upload(bob.principal, [(await bob.keyPackage()).bytes]);
      expect((await keyPackages.claim(alice.principal, 'bob')).keyPackages).toHaveLength(1);
    });

    it('refuses a commit that adds an official whose institution (or the committer’s) forbids it', async () => {
      a = await TestMember.createGroup(alice, randomBytes(16), [externalSenderExtension(serverKey)]);
      groupId = (await groups.register(alice.principal, await a.groupInfo())).groupId;
      const addCarol = await a.commitAdding([(await carol.keyPackage()).publicPackage]);
      const refused = groups.commit(alice.principal, groupId, {
        commit: addCarol.commit,
        groupInfo: addCarol.groupInfo,
        welcome: addCarol.welcome!,
        clientId: 'policy-add-carol',
      });
      expect(await codeOf(refused)).toMatchObject({
        code: 'chat_policy_forbids',
        details: { institutionId: B },
      });
      // C allows A only: Alice (A) may add Dave (C) and Bob (A).
      await policies.put(
        C,
        { crossInstitution: 'allow-list', allowedInstitutions: [A], retentionDays: 30 },
        national,
        null,
      );
      const add = await a.commitAdding([
        (await dave.keyPackage()).publicPackage,
        (await bob.keyPackage()).publicPackage,
      ]);
      await groups.commit(alice.principal, groupId, {
        commit: add.commit,
        groupInfo: add.groupInfo,
        welcome: add.welcome!,
        clientId: 'policy-add-dave',
      });
      add.apply();
      // Now the tree holds C (allow-list of A): adding a B official is refused by C's or B's policy.
      const again = await a.commitAdding([(await carol.keyPackage()).publicPackage]);
      const r = await codeOf(
        groups.commit(alice.principal, groupId, {
          commit: again.commit,
          groupInfo: again.groupInfo,
          welcome: again.welcome!,
          clientId: 'policy-add-carol-2',
        }),
      );
      expect(r.code).toBe('chat_policy_forbids');
      expect([B, C]).toContain((r.details as { institutionId: string }).institutionId);
    });
  });

  describe('legal hold and retention', () => {
    it('keeps the metadata of sends by officials of an institution on hold, never without', async () => {
      await delivery.send(alice.principal, groupId, {
        message: await a.message('before'),
        clientId: 'hold-0001',
      });
      await policies.setHold(A, 'Case 42/2026', national, 'req-hold');
      const sent = await delivery.send(alice.principal, groupId, {
        message: await a.message('under hold'),
        clientId: 'hold-0002',
      });
      expect(sent.recipients).toBe(2);
      const update = await a.commitAdding([]);
      await groups.commit(alice.principal, groupId, {
        commit: update.commit,
        groupInfo: update.groupInfo,
        clientId: 'hold-commit-1',
      });
      update.apply();
      const page = await policies.heldMetadata({ institution: A, limit: 10 }, national, 'req-read');
      // Newest first: the commit, then the message (nothing of the first send, before the hold).
      expect(page.entries).toEqual([
        expect.objectContaining({ senderDevice: alice.deviceId, groupId, kind: 'commit', recipients: 2 }),
        expect.objectContaining({
          senderDevice: alice.deviceId,
          senderUser: users.alice,
          groupId,
          kind: 'application',
          recipients: 2,
        }),
      ]);
      expect(page.entries[1]!.sizeBytes).toBeGreaterThan(0);
      expect(JSON.stringify(page)).not.toContain('under hold');
      expect((await audit.page({ action: 'secure-chat.hold.metadata-read' })).entries).toHaveLength(1);
      expect((await policies.get(A, national)).hold).toMatchObject({
        reason: 'Case 42/2026',
        setBy: 'op-national',
      });
      // The institution under investigation is not told, by either read.
      expect((await policies.get(A, operator(A))).hold).toBeNull();
      expect((await policies.list(operator(A))).policies.every((p) => p.hold === null)).toBe(true);
      // Kept through a sweep while the hold lasts; deleted by the sweep once it is lifted.
      expect((await sweep.sweep()).heldMetadata).toBe(0);
      await policies.releaseHold(A, national, null);
      expect((await sweep.sweep()).heldMetadata).toBe(2);
      expect((await policies.heldMetadata({ institution: A, limit: 10 }, national, null)).entries).toEqual(
        [],
      );
      const actions = (await audit.page({ search: 'secure-chat.hold' })).entries.map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['secure-chat.hold.set', 'secure-chat.hold.released']));
    });

    it("purges envelopes past their recipient institution's retention, old client ids and expired KeyPackages", async () => {
      await policies.put(
        A,
        { crossInstitution: 'directory', allowedInstitutions: [], retentionDays: 1 },
        national,
        null,
      );
      await delivery.send(alice.principal, groupId, {
        message: await a.message('old'),
        clientId: 'retention-1',
      });
      const queued = async (d: TestDevice) => (await delivery.inbox(d.principal, 0)).length;
      const bobBefore = await queued(bob);
      const daveBefore = await queued(dave);
      expect(bobBefore).toBeGreaterThan(0);
      // Two days pass for what is queued (Bob's retention: A's, 1 day; Dave's: C's, 30 days).
      await db.handle.db.execute(
        sql`update secure_chat.device_queue set created_at = created_at - interval '2 days'`,
      );
      await db.handle.db.execute(
        sql`update secure_chat.sends set created_at = created_at - interval '8 days' where client_id = 'retention-1'`,
      );
      await db.handle.db.execute(
        sql`update secure_chat.key_packages set not_after = now() - interval '1 hour' where device_id = ${carol.deviceId}`,
      );
      // The server's proposals: one of the group's current epoch (kept), one of an epoch it left, one of no group.
      const epoch = (await groups.groupInfo(alice.principal, groupId)).epoch;
      await db.handle.db.execute(sql`insert into secure_chat.external_proposals (group_id, epoch, message)
        values (${groupId}, ${epoch}::bigint, '\\x01'), (${groupId}, ${epoch}::bigint - 1, '\\x02'),
               ('no-such-group', 0, '\\x03')`);
      // Departures: settled long ago (goes), settled just now and pending long ago (both stay).
      const [old, fresh, pending] = [randomUUID(), randomUUID(), randomUUID()];
      await db.handle.db.execute(sql`insert into secure_chat.group_departures
        (group_id, device_id, user_id, leaf_index, epoch, settled, departed_at)
        values (${groupId}, ${old}, ${old}, 7, 1, true, now() - interval '8 days'),
               (${groupId}, ${fresh}, ${fresh}, 8, 1, true, now()),
               (${groupId}, ${pending}, ${pending}, 9, 1, false, now() - interval '8 days')`);
      const swept = await sweep.sweep();
      expect(swept.staleProposals).toBe(2);
      expect(swept.departures).toBe(1);
      const departed = await db.handle.db.execute(sql`select device_id::text as d
        from secure_chat.group_departures where group_id = ${groupId} order by leaf_index`);
      expect(departed).toMatchObject({ rows: [{ d: fresh }, { d: pending }] });
      await db.handle.db.execute(sql`delete from secure_chat.group_departures where group_id = ${groupId}`);
      const left = await db.handle.db.execute(sql`select epoch::text from secure_chat.external_proposals
        where group_id = ${groupId}`);
      expect(left).toMatchObject({ rows: [{ epoch }] });
      await db.handle.db.execute(sql`delete from secure_chat.external_proposals`);
      expect(swept.envelopes).toBe(bobBefore);
      expect(await queued(bob)).toBe(0);
      expect(await queued(dave)).toBe(daveBefore);
      expect(swept.sends).toBe(1);
      expect(swept.keyPackages).toBeGreaterThanOrEqual(1);
      // The client id is forgotten: the same id is a new send now.
      const resent = await delivery.send(alice.principal, groupId, {
        message: await a.message('again'),
        clientId: 'retention-1',
      });
      expect(resent.recipients).toBe(2);
      expect(await sweep.sweep()).toEqual({
        envelopes: 0,
        sends: 0,
        keyPackages: 0,
        heldMetadata: 0,
        staleProposals: 0,
        departures: 0,
      });
    });
  });
});
