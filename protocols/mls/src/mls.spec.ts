import 'reflect-metadata';
import { generateKeyPairSync, sign } from 'node:crypto';
import {
  acceptAll,
  createApplicationMessage,
  createCommit,
  createGroup,
  createGroupInfoWithExternalPubAndRatchetTree,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  joinGroup,
  processMessage,
  processPrivateMessage,
} from 'ts-mls';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { encodeRatchetTree } from 'ts-mls/ratchetTree.js';
import { ratchetTreeFromExtension } from 'ts-mls/groupInfo.js';
import { describe, expect, it } from 'vitest';
import { externalRemove, externalSenderExtension, newExternalSenderKey } from './external-sender.js';
import { readGroupInfo } from './group-info.js';
import { readKeyPackage } from './key-package.js';
import { readMessage } from './message.js';
import { chatSuite } from './suite.js';
import { readWelcome } from './welcome.js';
import { device, groupInfoBytes, keyPackage, kpBytes, refusal } from './test-devices.js';

/*
 * A real MLS exchange on ts-mls with the chat suite and X.509 credentials — devices whose P-256 key is in a
 * certificate a test CA issued, as device management's CA issues them — read the way the delivery service
 * reads it. The server's external Remove is processed and committed by a real member.
 */
describe('readKeyPackage', () => {
  it('reads a device KeyPackage: its ref, certificate, lifetime', async () => {
    const d = await device('device-a');
    const p = await keyPackage(d);
    const facts = await readKeyPackage(kpBytes(p));
    const cs = await chatSuite();
    expect(Buffer.from(facts.ref)).toEqual(Buffer.from(await makeKeyPackageRef(p.publicPackage, cs.hash)));
    expect(Buffer.from(facts.certificates[0]!)).toEqual(Buffer.from(d.cert));
    expect(facts.notAfter.getTime()).toBeGreaterThan(Date.now());
    expect(facts.lastResort).toBe(false);
  });

  it("refuses a KeyPackage signed by a key that is not its certificate's", async () => {
    const d = await device('device-b');
    const other = await device('device-c');
    expect(await refusal(readKeyPackage(kpBytes(await keyPackage(d, [other.cert]))))).toBe(
      'mls_bad_signature',
    );
  });

  it('refuses a flipped signature byte, a basic credential, trailing bytes and an oversized one', async () => {
    const d = await device('device-d');
    const good = kpBytes(await keyPackage(d));
    const flipped = Uint8Array.from(good);
    flipped[flipped.length - 10]! ^= 0x01; // inside the KeyPackage signature (the last field)
    expect(await refusal(readKeyPackage(flipped))).toMatch(/mls_bad_signature|mls_malformed/);
    const basic = await generateKeyPackageWithKey(
      { credentialType: 'basic', identity: new TextEncoder().encode('mallory') },
      defaultCapabilities(),
      defaultLifetime,
      [],
      { signKey: d.signKey, publicKey: d.publicKey },
      await chatSuite(),
    );
    expect(await refusal(readKeyPackage(kpBytes(basic)))).toBe('mls_unsupported');
    expect(await refusal(readKeyPackage(Uint8Array.from([...good, 0])))).toBe('mls_malformed');
    expect(await refusal(readKeyPackage(new Uint8Array(16 * 1024 + 1)))).toBe('mls_too_large');
  });
});

describe('a group as the delivery service sees it', () => {
  it('reads commit, GroupInfo and Welcome; its external Remove is committed by a member and locks the device out', async () => {
    const cs = await chatSuite();
    // The server's key as the kernel key service holds it: the private half never leaves, it signs ES256.
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const server = {
      publicKey: Uint8Array.from([
        4,
        ...Buffer.from(jwk.x!, 'base64url'),
        ...Buffer.from(jwk.y!, 'base64url'),
      ]),
      signEs256: (data: Uint8Array) =>
        Promise.resolve(new Uint8Array(sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }))),
    };
    const [alice, bob] = [await device('alice-phone'), await device('bob-phone')];
    const [aliceKp, bobKp] = [await keyPackage(alice), await keyPackage(bob)];
    const groupId = new TextEncoder().encode('group-1');

    let aliceState = await createGroup(
      groupId,
      aliceKp.publicPackage,
      aliceKp.privatePackage,
      [externalSenderExtension(server.publicKey)],
      cs,
    );
    const epoch0 = await readGroupInfo(await groupInfoBytes(aliceState));
    expect([
      epoch0.epoch,
      epoch0.members.length,
      epoch0.externalSenderKeys.map((k) => Buffer.from(k)),
    ]).toEqual([0n, 1, [Buffer.from(server.publicKey)]]);

    const add = await createCommit(
      { state: aliceState, cipherSuite: cs },
      {
        extraProposals: [{ proposalType: 'add', add: { keyPackage: bobKp.publicPackage } }],
        ratchetTreeExtension: true,
      },
    );
    aliceState = add.newState;
    const commit = readMessage(encodeMlsMessage(add.commit));
    expect([commit.epoch, commit.contentType]).toEqual([0n, 'commit']);

    const epoch1 = await readGroupInfo(await groupInfoBytes(aliceState));
    expect(epoch1.epoch).toBe(1n);
    expect(epoch1.members.map((m) => [m.leafIndex, Buffer.from(m.certificates[0]!)])).toEqual([
      [0, Buffer.from(alice.cert)],
      [1, Buffer.from(bob.cert)],
    ]);

    const welcome = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: add.welcome! });
    const bobRef = (await readKeyPackage(kpBytes(bobKp))).ref;
    expect(readWelcome(welcome).keyPackageRefs.map((r) => Buffer.from(r))).toEqual([Buffer.from(bobRef)]);
    const bobState = await joinGroup(
      add.welcome!,
      bobKp.publicPackage,
      bobKp.privatePackage,
      emptyPskIndex,
      cs,
    );

    // The server proposes removing bob's device (leaf 1) as the group's external sender.
    const remove = await externalRemove(await groupInfoBytes(aliceState), 1, server);
    expect(readMessage(remove)).toMatchObject({
      epoch: 1n,
      contentType: 'proposal',
      sender: { type: 'external' },
    });
    const decoded = decodeMlsMessage(remove, 0)![0];
    if (decoded.wireformat !== 'mls_public_message') throw new Error('expected a PublicMessage');
    const proposed = await processMessage(decoded, aliceState, emptyPskIndex, acceptAll, cs);
    const removal = await createCommit(
      { state: proposed.newState, cipherSuite: cs },
      { ratchetTreeExtension: true },
    );
    aliceState = removal.newState;
    const epoch2 = await readGroupInfo(await groupInfoBytes(aliceState));
    expect([epoch2.epoch, epoch2.members.map((m) => m.leafIndex)]).toEqual([2n, [0]]);

    // What alice sends in the new epoch, bob's device cannot read.
    const sent = await createApplicationMessage(aliceState, new TextEncoder().encode('after removal'), cs);
    await expect(processPrivateMessage(bobState, sent.privateMessage, emptyPskIndex, cs)).rejects.toThrow();
  });

  it('refuses a GroupInfo whose signature was tampered with, and one without the ratchet tree', async () => {
    const cs = await chatSuite();
    const d = await device('carol-phone');
    const kp = await keyPackage(d);
    const state = await createGroup(
      new TextEncoder().encode('group-2'),
      kp.publicPackage,
      kp.privatePackage,
      [],
      cs,
    );
    const good = await groupInfoBytes(state);
    const tampered = Uint8Array.from(good);
    tampered[tampered.length - 5]! ^= 0x01;
    expect(await refusal(readGroupInfo(tampered))).toMatch(/mls_bad_signature|mls_malformed/);
    const { createGroupInfoWithExternalPub } = await import('ts-mls');
    const noTree = encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_group_info',
      groupInfo: await createGroupInfoWithExternalPub(state, [], cs),
    });
    expect(await refusal(readGroupInfo(noTree))).toBe('mls_malformed');
  });

  it('refuses a tree of more nodes than a group may have before hashing it, and a leaf keyed unlike its certificate', async () => {
    const cs = await chatSuite();
    const d = await device('erin-phone');
    const kp = await keyPackage(d);
    const state = await createGroup(
      new TextEncoder().encode('group-5'),
      kp.publicPackage,
      kp.privatePackage,
      [],
      cs,
    );
    const groupInfo = await createGroupInfoWithExternalPubAndRatchetTree(state, [], cs);
    const leaf = ratchetTreeFromExtension(groupInfo)![0]!;
    // One leaf, 4,095 blank nodes, one leaf: cheap bytes, a costly hash (the limit is 2,048 members). Refused
    // as too large, not as a tree-hash mismatch: the size is checked before anything is hashed.
    const huge = [leaf, ...Array<undefined>(4095).fill(undefined), leaf];
    const bloated = {
      ...groupInfo,
      extensions: groupInfo.extensions.map((e) =>
        e.extensionType === 'ratchet_tree' ? { ...e, extensionData: encodeRatchetTree(huge) } : e,
      ),
    };
    expect(
      await refusal(
        readGroupInfo(
          encodeMlsMessage({ version: 'mls10', wireformat: 'mls_group_info', groupInfo: bloated }),
        ),
      ),
    ).toBe('mls_too_large');
    // A member whose credential is another device's certificate, signing with its own key.
    const victim = await device('victim-phone');
    const forged = await keyPackage(d, [victim.cert]);
    const other = await createGroup(
      new TextEncoder().encode('group-6'),
      forged.publicPackage,
      forged.privatePackage,
      [],
      cs,
    );
    expect(await refusal(readGroupInfo(await groupInfoBytes(other)))).toBe('mls_bad_signature');
  });

  it('signs an external Remove with a raw key too, and refuses a group that does not list the key', async () => {
    const cs = await chatSuite();
    const key = newExternalSenderKey();
    const d = await device('dave-phone');
    const kp = await keyPackage(d);
    const listed = await createGroup(
      new TextEncoder().encode('group-3'),
      kp.publicPackage,
      kp.privatePackage,
      [externalSenderExtension(key.publicKey)],
      cs,
    );
    const remove = await externalRemove(await groupInfoBytes(listed), 0, key);
    expect(readMessage(remove)).toMatchObject({
      contentType: 'proposal',
      sender: { type: 'external', senderIndex: 0 },
    });
    const unlisted = await createGroup(
      new TextEncoder().encode('group-4'),
      kp.publicPackage,
      kp.privatePackage,
      [],
      cs,
    );
    expect(await refusal(externalRemove(await groupInfoBytes(unlisted), 0, key))).toBe('mls_malformed');
    // Members number external senders among the external_senders extensions only (RFC 9420 §12.1.8.1): with
    // another extension and another sender before the server's, its index is 1 (ts-mls's proposeExternal: 2).
    const decoded = decodeMlsMessage(await groupInfoBytes(listed), 0)![0];
    if (decoded.wireformat !== 'mls_group_info') throw new Error('not a GroupInfo');
    const info = decoded.groupInfo;
    const extensions = [
      { extensionType: 'required_capabilities' as const, extensionData: new Uint8Array([0, 0, 0]) },
      externalSenderExtension(newExternalSenderKey().publicKey),
      ...info.groupContext.extensions,
    ];
    const moved = { ...info, groupContext: { ...info.groupContext, extensions } };
    expect(readMessage(await externalRemove(moved, 0, key))).toMatchObject({
      sender: { type: 'external', senderIndex: 1 },
    });
  });
});
