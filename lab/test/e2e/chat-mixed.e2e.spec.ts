import 'reflect-metadata'; // @peculiar/x509 (the bot's enrolment) needs it loaded first
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  enrolAndOpenChat,
  expectNoProblems,
  findPeople,
  launchChromium,
  message,
  openContext,
  send,
  shown,
  startChatWith,
  type Problem,
} from '@pakawaaz/test-support/browser';
import { ChatBot, enrolBot } from '../../src/chat/bot.js';
import type { ChatEvent } from '../../src/chat/chat-types.js';
import { unwrap } from '../../src/server-process/control-plane-api.js';
import { freeTcpPort } from '../../src/server-process/server-process.js';
import { openSharedFile, shareFromHandset } from '../support/chat-files.js';
import {
  OFFICIAL_PASSWORD,
  startChatLab,
  textsIn,
  type ChatHandset,
  type ChatLab,
} from '../support/chat-server.js';
import { waitFor as waitForEvent } from '../support/wait-for.js';

/*
 * One conversation across every kind of client, on the built server (child process), PostgreSQL and real
 * WebSockets: two officials on lab-attested handsets (the SDK over mutual TLS on the device port) and one on
 * the web client in Debian Chromium (a desktop device: token + DPoP). The web client finds the others in the
 * people search — never an official of an institution hidden from its own — and chats 1:1 with a handset and
 * in a group of all three: text both ways, files both ways (sealed on one side, downloaded and opened on the
 * other), read receipts. Then an administrator declares a handset lost: it leaves every group within seconds
 * (the web client's screen shows it gone) and reads nothing sent afterwards. Last, the institution's e-Office
 * bot posts a notice into the group, which the web client and the remaining handset see.
 */
const NOTICE = 'Circular 12/2026: offices close at 1 pm on Friday';

let lab: ChatLab;
let browser: Browser;
let web: Page;
let aisha: ChatHandset;
let bilal: ChatHandset;
let bot: ChatBot;
const problems: Problem[] = [];
const botEvents: ChatEvent[] = [];
let botUser = '';

/** Everything runs on two loaded cores next to a browser: generous waits, still bounded. */
const waitFor = <T>(what: string, probe: () => T | undefined) => waitForEvent(what, probe, 45_000);
const joined = (h: ChatHandset, groupId: string) =>
  waitFor(`${h.name} joins`, () => h.events.find((e) => e.type === 'joined' && e.groupId === groupId));
const reads = (h: ChatHandset, groupId: string, text: string) =>
  waitFor(`${h.name} reads “${text}”`, () => (textsIn(h.events, groupId).includes(text) ? true : undefined));
/** The group a handset was first added to (by the web client's new chat). */
const firstGroup = (h: ChatHandset) =>
  waitFor(`${h.name} is added`, () => {
    const e = h.events.find((x) => x.type === 'joined');
    return e?.type === 'joined' ? e.groupId : undefined;
  });

describe.skipIf(!chromiumAvailable('the mixed chat test'))(
  'one conversation: two handsets and the web client in Chromium',
  () => {
    let pair = '';
    let group = '';

    beforeAll(async () => {
      const webhookPort = await freeTcpPort();
      lab = await startChatLab('chat_mixed_e2e', { PAKAWAAZ_CHAT_BOT_LOOPBACK_HTTP: 'true' });
      const interior = await lab.institution('Ministry of Interior');
      const defence = await lab.institution('Ministry of Defence');
      await lab.official('aisha.malik', 'Aisha Malik', interior);
      await lab.official('bilal.khan', 'Bilal Khan', interior);
      await lab.official('farah.aziz', 'Farah Aziz', interior);
      // A namesake the Interior's directory may not see: the people search must never show him.
      await lab.official('bilal.ahmed', 'Bilal Ahmed', defence);
      [aisha, bilal] = [await lab.handset('aisha', 'aisha.malik'), await lab.handset('bilal', 'bilal.khan')];
      // The e-Office bot of the Interior: registered by its chat administrator, its own key enrolled.
      const chatAdmin = await lab.chatAdmin(interior, 'interior-chat-admin');
      const registered = await unwrap(
        chatAdmin.POST('/api/v1/chat/bots', {
          body: { name: 'e-Office', webhookUrl: `http://127.0.0.1:${webhookPort}/webhook` },
        }),
      );
      botUser = registered.user;
      const credentials = await enrolBot({
        apiUrl: lab.server.url,
        botId: registered.id,
        enrolmentSecret: registered.enrolmentSecret,
      });
      bot = await ChatBot.open({
        deviceUrl: lab.deviceUrl,
        credentials,
        webhookSecret: registered.webhookSecret,
        port: webhookPort,
        onEvent: (e) => botEvents.push(e),
      });
      await bot.chat.uploadKeyPackages(2);
      browser = await launchChromium();
      ({ page: web } = await openContext(browser, lab.server.url, problems));
      await enrolAndOpenChat(web, 'farah.aziz', OFFICIAL_PASSWORD);
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await bot?.close().catch(() => undefined);
      await lab?.stop();
    });

    it('the web client finds the officials its official may see, never a hidden one', async () => {
      const found = await findPeople(web, 'bilal');
      await shown(found.getByRole('button', { name: 'Choose Bilal Khan', exact: true }));
      expect(await found.getByRole('button').count()).toBe(1);
      await shown((await findPeople(web, 'bilal.ahmed')).getByText('Nobody found'));
    });

    it('chats 1:1 between the web client and a handset: text both ways, files both ways, read receipts', async () => {
      await startChatWith(web, [{ query: 'aish', displayName: 'Aisha Malik' }]);
      await send(web, 'Salam Aisha, from the web client');
      pair = await firstGroup(aisha);
      await reads(aisha, pair, 'Salam Aisha, from the web client');
      const [salam] = aisha.events.flatMap((e) => (e.type === 'message' && e.groupId === pair ? [e.id] : []));
      await aisha.chat.send(pair, { type: 'receipt', status: 'read', ids: [salam!] });
      await shown(message(web, 'Salam Aisha').getByText('Read', { exact: true }));

      const id = await aisha.chat.send(pair, { type: 'text', text: 'Walaikum salam, from my handset' });
      await shown(message(web, 'Walaikum salam, from my handset'));
      // On screen, so the web client sends a read receipt the handset gets.
      await waitFor('the web client’s receipt', () =>
        aisha.events.find((e) => e.type === 'receipt' && e.groupId === pair && e.ids.includes(id)),
      );

      // A file from the handset, downloaded and opened in the browser …
      const roster = Buffer.from('Duty roster, week 49.\n'.repeat(300));
      const file = await shareFromHandset(aisha.tls, lab.deviceUrl, lab.server.url, roster, 'roster.txt');
      await aisha.chat.send(pair, { type: 'file', file });
      const download = web.getByRole('button', { name: 'Download roster.txt' });
      await shown(download);
      const [got] = await Promise.all([web.waitForEvent('download'), download.click()]);
      expect(await readFile(await got.path())).toEqual(roster);
      // … and one sealed in the browser, opened on the handset.
      const minutes = 'Minutes of the 5 December meeting.\n'.repeat(150);
      await web.getByLabel('Attach a file').setInputFiles({
        name: 'minutes.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from(minutes),
      });
      await web.getByRole('button', { name: 'Send file' }).click();
      const ref = await waitFor('the web client’s file', () => {
        const e = aisha.events.find(
          (x) => x.type === 'message' && x.groupId === pair && x.file?.name === 'minutes.txt',
        );
        return e?.type === 'message' ? e.file : undefined;
      });
      expect((await openSharedFile(ref)).toString()).toBe(minutes);
    });

    it('chats in a group of all three, the web client choosing both handsets’ officials', async () => {
      await startChatWith(web, [
        { query: 'aisha', displayName: 'Aisha Malik' },
        { query: 'bilal.k', displayName: 'Bilal Khan' },
      ]);
      await send(web, 'Group: the agenda for Monday');
      group = await firstGroup(bilal);
      await joined(aisha, group);
      for (const h of [aisha, bilal]) await reads(h, group, 'Group: the agenda for Monday');
      await bilal.chat.send(group, { type: 'text', text: 'Noted, from Bilal’s handset' });
      await shown(message(web, 'Noted, from Bilal’s handset'));
      await reads(aisha, group, 'Noted, from Bilal’s handset');
      const [agenda] = aisha.events.flatMap((e) =>
        e.type === 'message' && e.groupId === group && e.text?.startsWith('Group:') ? [e.id] : [],
      );
      await aisha.chat.send(group, { type: 'receipt', status: 'read', ids: [agenda!] });
      await shown(message(web, 'Group: the agenda').getByText('Read', { exact: true }));
    });

    it('a handset declared lost leaves every group within seconds and reads nothing sent afterwards', async () => {
      // Bilal's handset is in two groups: the three's and a 1:1 with Aisha.
      const duo = await aisha.chat.createGroup();
      await aisha.chat.addMembers(duo, [bilal.user]);
      await joined(bilal, duo);
      const started = Date.now();
      await unwrap(
        lab.admin.POST('/api/v1/devices/{id}/lost', {
          params: { path: { id: bilal.handset.deviceId! } },
          body: { reason: 'left in a taxi' },
        }),
      );
      for (const g of [group, duo])
        await waitFor(`the Remove committed in ${g}`, () =>
          aisha.events.find(
            (e) =>
              e.type === 'members-changed' &&
              e.groupId === g &&
              e.removed.some((m) => m.deviceId === bilal.handset.deviceId),
          ),
        );
      const elapsed = Date.now() - started;
      console.log(`lost handset out of 2 groups in ${elapsed} ms`);
      expect(elapsed).toBeLessThan(15_000);
      // The web client's group shows Aisha alone beside Farah now.
      await web
        .getByRole('button', { name: 'Chat with Aisha Malik, Bilal Khan', exact: true })
        .waitFor({ state: 'detached', timeout: 45_000 });
      const before = textsIn(bilal.events, group).length;
      await send(web, 'After the loss: meet in room 4');
      await reads(aisha, group, 'After the loss: meet in room 4');
      await new Promise((r) => setTimeout(r, 1_000));
      expect(textsIn(bilal.events, group)).toHaveLength(before);
    });

    it('the institution’s e-Office bot posts a notice the web client and the handset see', async () => {
      await aisha.chat.addMembers(group, [botUser]);
      await waitFor('the bot joins', () => botEvents.find((e) => e.type === 'joined' && e.groupId === group));
      await bot.chat.send(group, { type: 'text', text: NOTICE });
      await reads(aisha, group, NOTICE);
      await shown(message(web, NOTICE));
      const notice = aisha.events.find((e) => e.type === 'message' && e.text === NOTICE);
      expect(notice?.type === 'message' && notice.from.bot).toBe(true);
      expect(textsIn(bilal.events, group)).not.toContain(NOTICE);
      // The one problem a page may report: a commit of the server's Remove that lost the race to the handset's
      // (409 mls_stale_epoch, which the SDK handles by applying the winner's), logged by the browser.
      expectNoProblems(problems, (p) => p.kind === 'console' && /409 .*\/commits/.test(`${p.text} ${p.url}`));
    });
  },
);
