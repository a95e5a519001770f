import * as browse from '@pakawaaz/test-support/browser';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../support/web-calls.js';

const unavailable = await wc.webCallsUnavailable('the web chat calls test');
const [HINA, IMRAN] = wc.OFFICIALS;

/** The shape of the page's first participant video (width / height), 0 when none decodes. */
const aspect = (page: Page): Promise<number> =>
  page.evaluate(`(() => {
    const v = document.querySelector('#call-tiles video');
    return v && v.videoHeight > 0 ? v.videoWidth / v.videoHeight : 0;
  })()`);

/** The other official of the page's 1:1 conversation, as its title names them. */
const peer = async (page: Page): Promise<string> =>
  ((await page.locator('#conversation-title').textContent()) ?? '').replace(/^Chat with /, '');

/*
 * Calls in the officials' web chat (/chat/), in real Chromium against the built server and its embedded
 * Janus (support/web-calls.ts): one official presses Call (video) in a conversation, the other sees the ring
 * and accepts, and each page decodes the other's video, every frame SFrame-sealed with the key the page
 * derived from that conversation's MLS epoch (Janus forwards only what it cannot read). Then the caller shares
 * a screen (Chromium's fake screen, through getDisplayMedia) in place of the camera: the other side decodes
 * it, still opened by SFrame; and a voice call: no camera, the other official by name, audio flowing.
 */
describe.skipIf(unavailable !== null)('calls in the officials’ web chat (Chromium, Janus, SFrame)', () => {
  let calls: wc.WebCalls | undefined;
  let hina: Page;
  let imran: Page;

  beforeAll(async () => {
    calls = await wc.startWebCalls('webcall', [HINA, IMRAN]);
    hina = await calls.open(HINA.username);
    imran = await calls.open(IMRAN.username);
    await browse.startChatWith(hina, [{ query: 'imr', displayName: 'Imran Siddiqui' }]);
    await wc.openConversation(imran);
  }, 240_000);

  afterAll(async () => {
    await calls?.stop();
  });

  async function answer(button: 'Call (video)' | 'Voice call'): Promise<void> {
    await hina.getByRole('button', { name: button }).click();
    await browse.shown(hina.getByRole('status').getByText('Calling…'));
    const ring = button === 'Voice call' ? / is calling \(voice call\)$/ : / is calling$/;
    await browse.shown(imran.getByText(ring));
    await imran.getByRole('button', { name: 'Accept' }).click();
    await browse.shown(hina.getByText('In call', { exact: true }));
    await browse.shown(imran.getByText('In call', { exact: true }));
  }

  async function hangUp(): Promise<void> {
    await imran.getByRole('button', { name: 'Hang up' }).click();
    await browse.shown(imran.getByText('You hung up'));
    await hina.getByRole('button', { name: 'Hang up' }).click();
    await browse.shown(hina.getByText('You hung up'));
    for (const page of [hina, imran]) await page.getByRole('button', { name: 'Close' }).click();
  }

  it('one official calls another; both decode the other’s SFrame video; a shared screen replaces the camera', async () => {
    await answer('Call (video)');
    for (const page of [hina, imran])
      await wc.until(async () => (await wc.tilesDecoding(page)) === 1, 'each page decodes the other’s video');
    // Each tile is named after its official as the page knows them (the call's record: feed id = participant
    // id): by name where the page learnt it (Hina chose Imran), else as the conversation's title shows them.
    await browse.shown(hina.getByRole('list', { name: 'Participants' }).getByText('Imran Siddiqui'));
    await browse.shown(imran.getByRole('list', { name: 'Participants' }).getByText(await peer(imran)));
    // The fake camera is 4:3; Chromium's fake screen (getDisplayMedia, no picker) 16:9.
    await wc.until(async () => Math.abs((await aspect(imran)) - 4 / 3) < 0.05, 'the camera on Imran’s side');
    const before = Number((await wc.callFigures(imran))['decrypted']);

    await hina.getByRole('button', { name: 'Share screen' }).click();
    await browse.shown(hina.getByRole('button', { name: 'Stop sharing' }));
    await wc.until(async () => Math.abs((await aspect(imran)) - 16 / 9) < 0.05, 'the screen on Imran’s side');
    // Still SFrame: the frames Imran decodes were opened by his worker (Janus cannot send clear frames:
    // a frame the worker does not open is dropped, so nothing would decode).
    const opened = async () => Number((await wc.callFigures(imran))['decrypted']);
    const sharing = await opened();
    await wc.until(
      async () => (await opened()) > Math.max(before, sharing),
      'SFrame opens the screen’s frames',
    );
    expect(await aspect(imran)).toBeCloseTo(16 / 9, 1);
    await hina.getByRole('button', { name: 'Stop sharing' }).click();
    await wc.until(async () => Math.abs((await aspect(imran)) - 4 / 3) < 0.05, 'the camera again');
    await hangUp();
    browse.expectNoProblems(calls!.problems);
  }, 240_000);

  it('a voice call asks for no camera, names the other official and carries SFrame-sealed audio', async () => {
    await answer('Voice call');
    for (const page of [hina, imran]) {
      const tiles = page.getByRole('list', { name: 'Participants' });
      await browse.shown(tiles.getByText(await peer(page)));
      expect(await page.locator('#call-tiles video').count()).toBe(0);
      expect(await page.locator('#call-tiles audio').count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Share screen' }).isVisible()).toBe(false);
      // No camera: the local stream holds the microphone only.
      const videoTracks = await page.evaluate(
        `document.getElementById('call-local').srcObject?.getVideoTracks().length ?? -1`,
      );
      expect(videoTracks).toBe(0);
    }
    for (const page of [hina, imran]) {
      await wc.until(async () => Number((await wc.callFigures(page))['audioPackets']) > 0, 'audio packets');
      const first = await wc.callFigures(page);
      await new Promise((r) => setTimeout(r, 3_000));
      const later = await wc.callFigures(page);
      expect(Number(later['audioPackets'])).toBeGreaterThan(Number(first['audioPackets']));
      expect(Number(later['decrypted'])).toBeGreaterThan(Number(first['decrypted']));
    }
    await hangUp();
    browse.expectNoProblems(calls!.problems);
  }, 240_000);
});
