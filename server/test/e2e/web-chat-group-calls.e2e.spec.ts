import * as browse from '@pakawaaz/test-support/browser';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../support/web-calls.js';

const unavailable = await wc.webCallsUnavailable('the web chat group calls test');
const OFFICIALS = wc.OFFICIALS;

/** Total frames the page's participant videos decoded so far. */
const framesDecoded = (page: Page): Promise<number> =>
  page.evaluate(`[...document.querySelectorAll('#call-tiles video')]
    .reduce((n, v) => n + v.getVideoPlaybackQuality().totalVideoFrames, 0)`);

/*
 * A group call in the officials' web chat (support/web-calls.ts: Chromium, the built server, its embedded
 * Janus): Hina calls a conversation of three, Imran accepts and their videos flow; Zara lets it ring out,
 * reloads her page and joins the call in progress it finds (Join call), and all three decode each other's video, every frame
 * SFrame-sealed under the group's MLS epoch. Then an operator retires Zara's browser (its certificate
 * revoked): the server kicks it from the room and proposes its Remove, Hina's or Imran's page commits it,
 * the tile goes on both sides, and they go on decoding under the new epoch's keys (the KID's epoch bits change).
 */
describe.skipIf(unavailable !== null)(
  'group calls in the officials’ web chat (Chromium, Janus, SFrame)',
  () => {
    let calls: wc.WebCalls | undefined;

    beforeAll(async () => {
      // A short ring: Zara lets it ring out, then joins the call in progress.
      calls = await wc.startWebCalls('webgroup', OFFICIALS, { PAKAWAAZ_CALLS_RING_SECONDS: '20' });
    }, 180_000);

    afterAll(async () => {
      await calls?.stop();
    });

    it('three officials: a late joiner decodes and is decoded; a retired device is dropped and keys rotate', async () => {
      const [hina, imran, zara] = [
        await calls!.open(OFFICIALS[0].username),
        await calls!.open(OFFICIALS[1].username),
        await calls!.open(OFFICIALS[2].username),
      ];
      await browse.startChatWith(hina, [
        { query: 'imr', displayName: 'Imran Siddiqui' },
        { query: 'zar', displayName: 'Zara Baloch' },
      ]);
      for (const page of [imran, zara]) await wc.openConversation(page);

      await hina.getByRole('button', { name: 'Call (video)' }).click();
      await browse.shown(hina.getByRole('status').getByText('Calling…'));
      for (const page of [imran, zara]) await browse.shown(page.getByText(/ is calling$/));
      await imran.getByRole('button', { name: 'Accept' }).click();
      await browse.shown(hina.getByText('In call', { exact: true }));
      for (const page of [hina, imran])
        await wc.until(async () => (await wc.tilesDecoding(page)) === 1, 'Hina and Imran decode each other');

      // Zara missed the ring; the call goes on (Imran answered) and her page offers to join it. She reloads
      // the page instead: nothing rings her now, but opening the conversation finds the call in progress
      // (GET /api/v1/chat/calls?groupId=); she joins it, and every page decodes the others.
      await browse.shown(zara.getByText(/^Missed call from /));
      await browse.shown(zara.getByRole('button', { name: 'Join call' }));
      await browse.signIn(zara, OFFICIALS[2].username, wc.PASSWORD);
      await browse.shown(zara.getByRole('heading', { name: 'Conversations' }));
      await wc.openConversation(zara);
      await browse.shown(zara.getByRole('status').getByText('A call is in progress'));
      await zara.getByRole('button', { name: 'Join call' }).click();
      await browse.shown(zara.getByText('In call', { exact: true }));
      for (const page of [hina, imran, zara])
        await wc.until(async () => (await wc.tilesDecoding(page)) === 2, 'all three decode each other');
      const tiles = (page: Page) => page.getByRole('list', { name: 'Participants' });
      // Named: Hina chose both (the others know her by the id the conversation shows, until they learn names).
      await browse.shown(tiles(hina).getByText('Imran Siddiqui'));
      await browse.shown(tiles(hina).getByText('Zara Baloch'));
      for (const page of [imran, zara])
        expect(await page.locator('#call-tiles li[data-user-id]').count()).toBe(2);
      const before = await Promise.all([hina, imran].map(wc.callFigures));

      // An operator retires Zara's browser: her certificate is revoked, so she is out of the chat.
      const zaraDevice =
        (await zara.locator('[data-device-id]').first().getAttribute('data-device-id')) ?? '';
      const token = await calls!.server.adminToken();
      await calls!.server.json('POST', `/api/v1/devices/${zaraDevice}/retire`, {
        token,
        body: { reason: 'browser handed back (group calls test)' },
      });
      // Janus kicked her: her call is over, and her tile goes on both other sides.
      await browse.shown(zara.getByText('You were taken out of the call'));
      for (const page of [hina, imran]) {
        await wc.until(
          async () => (await tiles(page).getByRole('listitem').count()) === 1,
          'Zara’s tile goes',
        );
      }
      expect(await tiles(hina).getByText('Zara Baloch').count()).toBe(0);
      // The Remove is a new MLS epoch: both pages take it, and what they now open is under its KIDs
      // (a KID's low 4 bits are the epoch mod 16, docs/calls.md).
      for (const [i, page] of [hina, imran].entries()) {
        const was = before[i]!;
        await wc.until(async () => {
          const f = await wc.callFigures(page);
          return (
            Number(f['epoch']) > Number(was['epoch']) && (Number(f['kid']) & 15) === Number(f['epoch']) % 16
          );
        }, 'the new epoch’s keys');
        const rotated = await wc.callFigures(page);
        expect(Number(rotated['kid'])).not.toBe(Number(was['kid']));
        const frames = await framesDecoded(page);
        await wc.until(
          async () => (await framesDecoded(page)) > frames + 10,
          'decoding goes on after the rotation',
        );
        expect(await wc.tilesDecoding(page)).toBe(1);
      }

      for (const page of [imran, hina]) {
        await page.getByRole('button', { name: 'Hang up' }).click();
        await browse.shown(page.getByText('You hung up'));
      }
      browse.expectNoProblems(calls!.problems);
    }, 300_000);
  },
);
