import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrap, type ControlPlaneApi } from '../../src/server-process/control-plane-api.js';
import type { ServerProcess } from '../../src/server-process/server-process.js';
import { openSharedFile, shareFromHandset } from '../support/chat-files.js';
import {
  startChatLab,
  textsIn,
  threeOfficials,
  type ChatHandset,
  type ChatLab,
} from '../support/chat-server.js';
import { waitFor } from '../support/wait-for.js';

/*
 * Secure chat end to end: the built server in a child process on PostgreSQL, officials' lab-attested handsets
 * enrolled through device management, the client SDK (ts-mls) over mutual TLS and real WebSockets on the device
 * port. Three officials chat 1:1 and in a group (one of them on two handsets), send receipts and typing
 * indicators, share a client-encrypted file; then an administrator declares a handset lost (and later disables an official):
 * the server removes the handset (every handset of the official) from its groups as their external sender, a
 * member commits the Remove within seconds, and nothing sent afterwards reaches it.
 */
type Device = ChatHandset;

let lab: ChatLab;
let server: ServerProcess;
let admin: ControlPlaneApi;
let deviceUrl = '';
let users: Record<string, string> = {};
const devices: Record<string, Device> = {};

const texts = (d: Device, groupId: string) => textsIn(d.events, groupId);

beforeAll(async () => {
  lab = await startChatLab('chat_e2e');
  ({ server, admin, deviceUrl, users } = lab);
  Object.assign(
    devices,
    await threeOfficials(lab, [
      ['aisha', 'aisha.malik'],
      ['bilal-phone', 'bilal.khan'],
      ['bilal-tablet', 'bilal.khan'],
      ['chand', 'chand.bibi'],
    ]),
  );
}, 240_000);

afterAll(async () => lab?.stop());

describe('secure chat between officials on attested handsets', () => {
  let oneToOne = '';
  let group = '';

  it('chats 1:1: both of the other official’s handsets read it, receipts and typing come back', async () => {
    const { aisha } = devices;
    oneToOne = await aisha!.chat.createGroup();
    await aisha!.chat.addMembers(oneToOne, [users['bilal.khan']!]);
    for (const d of [devices['bilal-phone']!, devices['bilal-tablet']!])
      await waitFor(`${d.name} joins`, () =>
        d.events.find((e) => e.type === 'joined' && e.groupId === oneToOne),
      );
    const id = await aisha!.chat.send(oneToOne, {
      type: 'text',
      text: 'Assalam-o-alaikum, the file is ready',
    });
    for (const d of [devices['bilal-phone']!, devices['bilal-tablet']!])
      await waitFor(`${d.name} reads`, () =>
        texts(d, oneToOne).includes('Assalam-o-alaikum, the file is ready') ? true : undefined,
      );
    await devices['bilal-phone']!.chat.send(oneToOne, { type: 'receipt', status: 'read', ids: [id] });
    await devices['bilal-phone']!.chat.send(oneToOne, { type: 'typing', active: true });
    const receipt = await waitFor('the receipt', () =>
      aisha!.events.find((e) => e.type === 'receipt' && e.groupId === oneToOne),
    );
    expect(receipt).toMatchObject({ status: 'read', ids: [id] });
    await waitFor('typing', () => aisha!.events.find((e) => e.type === 'typing' && e.groupId === oneToOne));
    // Chand, not in this chat, received nothing of it.
    expect(devices.chand!.events.filter((e) => 'groupId' in e && e.groupId === oneToOne)).toEqual([]);
  });

  it('chats in a group of three officials and shares a client-encrypted file', async () => {
    const { aisha, chand } = devices;
    group = await aisha!.chat.createGroup();
    await aisha!.chat.addMembers(group, [users['bilal.khan']!, users['chand.bibi']!]);
    await chand!.chat.send(group, { type: 'text', text: 'Meeting at 3' }).catch(async () => {
      await waitFor('chand joins', () =>
        chand!.events.find((e) => e.type === 'joined' && e.groupId === group),
      );
      return chand!.chat.send(group, { type: 'text', text: 'Meeting at 3' });
    });
    for (const d of [aisha!, devices['bilal-phone']!, devices['bilal-tablet']!])
      await waitFor(`${d.name} reads chand`, () =>
        texts(d, group).includes('Meeting at 3') ? true : undefined,
      );

    // The file: encrypted on the handset (AES-256-GCM, a fresh key), uploaded as ciphertext, its link and key
    // shared inside the MLS message. The server stores bytes it cannot read.
    const plain = Buffer.from('Notification No. 7/2026: revised duty roster.\n'.repeat(200));
    const file = await shareFromHandset(aisha!.tls, deviceUrl, server.url, plain, 'roster.txt');
    await aisha!.chat.send(group, { type: 'file', file });
    const got = await waitFor('the file reference', () =>
      chand!.events.find((e) => e.type === 'message' && e.groupId === group && e.file !== undefined),
    );
    if (got.type !== 'message' || !got.file) throw new Error('expected a file');
    expect(got.file).toEqual(file);
    expect(await openSharedFile(got.file)).toEqual(plain);
  });

  it('a handset declared lost leaves every group within seconds and reads nothing sent afterwards', async () => {
    const tablet = devices['bilal-tablet']!;
    const { aisha } = devices;
    const started = Date.now();
    await unwrap(
      admin.POST('/api/v1/devices/{id}/lost', {
        params: { path: { id: tablet.handset.deviceId! } },
        body: { reason: 'left in a taxi' },
      }),
    );
    // A member commits the server's Remove in each group (the SDK does it on receipt of the proposal).
    for (const g of [oneToOne, group])
      await waitFor(`the Remove committed in ${g}`, () =>
        aisha!.events.find(
          (e) =>
            e.type === 'members-changed' &&
            e.groupId === g &&
            e.removed.some((m) => m.deviceId === tablet.handset.deviceId),
        )
          ? true
          : undefined,
      );
    const elapsed = Date.now() - started;
    console.log(`lost handset out of 2 groups in ${elapsed} ms`);
    expect(elapsed).toBeLessThan(15_000);
    const before = texts(tablet, group).length;
    await aisha!.chat.send(group, { type: 'text', text: 'After the loss' });
    await waitFor('bilal-phone reads', () =>
      texts(devices['bilal-phone']!, group).includes('After the loss') ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(texts(tablet, group).length).toBe(before);
    expect(texts(tablet, group)).not.toContain('After the loss');
  });

  it('an official who is disabled leaves the groups with every handset, and claims no one any more', async () => {
    const { aisha, chand } = devices;
    await unwrap(
      admin.POST('/api/v1/users/{id}/disable', {
        params: { path: { id: users['chand.bibi']! } },
        body: { reason: 'transferred' },
      }),
    );
    await waitFor('chand removed', () =>
      aisha!.events.find(
        (e) =>
          e.type === 'members-changed' &&
          e.groupId === group &&
          e.removed.some((m) => m.deviceId === chand!.handset.deviceId),
      ),
    );
    await aisha!.chat.send(group, { type: 'text', text: 'Without Chand' });
    await waitFor('bilal-phone reads', () =>
      texts(devices['bilal-phone']!, group).includes('Without Chand') ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(texts(chand!, group)).not.toContain('Without Chand');
    // Chand's handset is out of chat: it publishes no KeyPackage and registers no group.
    await expect(chand!.chat.uploadKeyPackages(1)).rejects.toThrow(/device_removed_from_chat|403/);
  });
});
