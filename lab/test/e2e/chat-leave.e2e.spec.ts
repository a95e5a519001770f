import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatHttpError } from '../../src/chat/chat-http.js';
import {
  startChatLab,
  textsIn,
  threeOfficials,
  type ChatHandset,
  type ChatLab,
} from '../support/chat-server.js';
import { waitFor } from '../support/wait-for.js';

/*
 * Leaving a group end to end: the built server in a child process on PostgreSQL, officials' lab-attested
 * handsets, the client SDK (ts-mls) over mutual TLS and real WebSockets. Aisha (on a phone and a tablet) leaves
 * a group of three officials: the server proposes the Remove of both her handsets as the group's external
 * sender, her other handset forgets the group on reading its own Remove, Bilal's or Chand's client commits
 * them, nothing sent afterwards reaches her handsets, and the two others chat on.
 */
let lab: ChatLab;
let users: Record<string, string> = {};
const d: Record<string, ChatHandset> = {};

const forGroup = (h: ChatHandset, groupId: string) =>
  h.events.filter((e) => 'groupId' in e && e.groupId === groupId);

beforeAll(async () => {
  lab = await startChatLab('chat_leave_e2e');
  ({ users } = lab);
  Object.assign(
    d,
    await threeOfficials(lab, [
      ['aisha-phone', 'aisha.malik'],
      ['aisha-tablet', 'aisha.malik'],
      ['bilal', 'bilal.khan'],
      ['chand', 'chand.bibi'],
    ]),
  );
}, 240_000);

afterAll(async () => lab?.stop());

describe('an official leaves a chat group', () => {
  it('the server proposes her Removes, a member commits them, she reads nothing more, the others chat on', async () => {
    const phone = d['aisha-phone']!;
    const tablet = d['aisha-tablet']!;
    const { bilal, chand } = d;
    const group = await bilal!.chat.createGroup();
    await bilal!.chat.addMembers(group, [users['aisha.malik']!, users['chand.bibi']!]);
    for (const h of [phone, tablet, chand!])
      await waitFor(`${h.name} joins`, () =>
        h.events.find((e) => e.type === 'joined' && e.groupId === group),
      );
    await chand!.chat.send(group, { type: 'text', text: 'Before she leaves' });
    for (const h of [phone, tablet, bilal!])
      await waitFor(
        `${h.name} reads`,
        () => textsIn(h.events, group).includes('Before she leaves') || undefined,
      );

    const reply = await phone.chat.leaveGroup(group);
    expect(reply.groupId).toBe(group);
    expect(reply.closed).toBe(false);
    expect(reply.devices.sort()).toEqual([phone.handset.deviceId!, tablet.handset.deviceId!].sort());
    // The leaving handset forgot the group; leaving again (from her other handset) is the same answer.
    expect(phone.chat.core.groups.has(group)).toBe(false);
    expect(phone.events.at(-1)).toEqual({ type: 'removed', groupId: group });
    // Her tablet is told too (the server's Remove of its own leaf): it forgets the group without asking.
    await waitFor('the tablet forgets the group', () =>
      tablet.events.find((e) => e.type === 'removed' && e.groupId === group),
    );
    expect(tablet.chat.core.groups.has(group)).toBe(false);
    const again = await tablet.chat.leaveGroup(group);
    expect(again).toEqual({ ...reply, devices: again.devices });
    expect(again.devices.sort()).toEqual(reply.devices.sort());
    const seen = { phone: forGroup(phone, group).length, tablet: forGroup(tablet, group).length };

    // Bilal's and Chand's clients commit the server's Removes on receipt (one of them wins the epoch).
    for (const h of [bilal!, chand!])
      await waitFor(
        `${h.name} sees Aisha removed`,
        () =>
          h.events.some(
            (e) =>
              e.type === 'members-changed' &&
              e.groupId === group &&
              [phone, tablet].every((a) => e.removed.some((m) => m.deviceId === a.handset.deviceId)),
          ) || undefined,
      );
    expect(
      bilal!.chat.core
        .members(group)
        .map((m) => m.userId)
        .sort(),
    ).toEqual([users['bilal.khan']!, users['chand.bibi']!].sort());

    // The two others chat on; nothing of it reaches either of Aisha's handsets.
    await bilal!.chat.send(group, { type: 'text', text: 'After she left' });
    await chand!.chat.send(group, { type: 'text', text: 'Still here' });
    await waitFor('chand reads', () => textsIn(chand!.events, group).includes('After she left') || undefined);
    await waitFor('bilal reads', () => textsIn(bilal!.events, group).includes('Still here') || undefined);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(forGroup(phone, group)).toHaveLength(seen.phone);
    expect(forGroup(tablet, group)).toHaveLength(seen.tablet);
    for (const h of [phone, tablet]) expect(textsIn(h.events, group)).not.toContain('After she left');
  });

  it('leaving a group one is not in is 404 group_not_found', async () => {
    const { bilal, chand } = d;
    const alone = await chand!.chat.createGroup();
    const refused = await bilal!.chat.leaveGroup(alone).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ChatHttpError);
    expect(refused).toMatchObject({ status: 404, body: { code: 'group_not_found' } });
    // Chand is the only one left in her own group: leaving closes it.
    expect(await chand!.chat.leaveGroup(alone)).toEqual({
      groupId: alone,
      devices: [chand!.handset.deviceId],
      closed: true,
    });
  });
});
