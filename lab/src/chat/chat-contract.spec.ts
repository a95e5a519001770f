import { describe, expect, it } from 'vitest';
import { checkCommit, readGroupInfo, readKeyPackage, readMessage, readWelcome } from '@pakawaaz/mls';
import { ChatCore } from './chat-core.js';
import { testDeviceCa, testExternalSender } from './chat-fixtures.js';
import { deviceKeyFromPem } from './device-key.js';
import { fromB64u } from './mls-glue.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('contract: what the client sends passes the delivery service’s readers (@pakawaaz/mls)', () => {
  it('KeyPackages, GroupInfo, commit, Welcome and application message', async () => {
    const pki = await testDeviceCa();
    const server = testExternalSender();
    const trust = { deviceCaDers: [pki.caDer], externalSenderKeys: [server.signatureKey] };
    const a = await pki.device('alice-phone', 'alice');
    const b = await pki.device('bob-phone', 'bob');
    const alice = await ChatCore.open({ ...a, trust });
    const bob = await ChatCore.open({ ...b, trust });

    const [one, last] = await bob.makeKeyPackages(1, true);
    const kp = await readKeyPackage(fromB64u(one!));
    expect(hex(kp.certificates[0]!)).toBe(hex(b.certificateDer));
    expect(hex(kp.signatureKey)).toBe(hex(deviceKeyFromPem(b.keyPem).publicKey));
    expect(kp.lastResort).toBe(false);
    expect((await readKeyPackage(fromB64u(last!))).lastResort).toBe(true);

    const g = await alice.createGroup({ signatureKey: server.signatureKey });
    const g0 = await readGroupInfo(fromB64u(g.groupInfo));
    expect(g0.epoch).toBe(0n);
    expect(g0.externalSenderKeys.map(hex)).toEqual([hex(server.signatureKey)]);
    expect(g0.members.map((m) => hex(m.certificates[0]!))).toEqual([hex(a.certificateDer)]);

    const c = await alice.add(g.groupId, [one!]);
    const commit = readMessage(fromB64u(c.commit));
    expect(commit).toMatchObject({ wireformat: 'public_message', contentType: 'commit', epoch: 0n });
    expect(commit.sender).toEqual({ type: 'member', leafIndex: 0 });
    const g1 = await readGroupInfo(fromB64u(c.groupInfo));
    expect(g1.epoch).toBe(1n);
    expect(g1.members).toHaveLength(2);
    expect(readWelcome(fromB64u(c.welcome!)).keyPackageRefs.map(hex)).toEqual([hex(kp.ref)]);
    // The server's check of the commit against its GroupInfo (and its Welcome against its Adds) passes.
    const checked = await checkCommit(fromB64u(g.groupInfo), fromB64u(c.commit), fromB64u(c.groupInfo));
    expect([checked.committerLeaf, checked.addedKeyPackageRefs.map(hex)]).toEqual([0, [hex(kp.ref)]]);
    alice.confirm(g.groupId);

    const m = await alice.send(g.groupId, { type: 'text', text: 'hello' });
    expect(readMessage(fromB64u(m.message))).toMatchObject({
      wireformat: 'private_message',
      contentType: 'application',
      epoch: 1n,
    });
  });
});
