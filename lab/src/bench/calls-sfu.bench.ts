import type { Page } from 'playwright-core';
import type { CallJoin } from '../chat/chat-calls.js';
import { groupOf, out, pageEpoch, sleep, withCallsBench, type Bench } from './calls-bench-kit.js';
import { processCpuSeconds, treeCpuSeconds } from './load.js';

/**
 * Subscriber streams per core on Janus VideoRoom (issue 17; goal ≥ 500 forwarded audio+video subscriber
 * streams per core, anchor: mediasoup's ~500 consumers per worker). The built server with its embedded Janus
 * makes a call of BENCH_SFU_PUBLISHERS officials (default 2); each publishes video (BENCH_SFU_VIDEO, default
 * 640x360@30; BENCH_SFU_CONTENT below) and the fake microphone from its own Chromium page, SFrame-sealed, as the
 * web client does. Subscriber PeerConnections (with a joined publisher's private_id, rooms being
 * `require_pvtid`) each receive every publisher's audio and video: one *stream* = one publisher's audio+video
 * to one subscriber. Subscribers drop received frames before decoding (an RTCRtpScriptTransform that
 * forwards nothing), so the generator pays for receiving, not for decoding. Steps of BENCH_SFU_STEPS
 * subscribers; at each, Janus's CPU from /proc/<pid>/stat over BENCH_SFU_SECONDS (default 10) and the packets
 * the subscribers received (getStats). Same-run baselines: Janus idle, publishers only (no subscriber), and a
 * one-subscriber step. The generator's CPU (Chromium's process tree) is reported apart.
 */
const PUBLISHERS = Number(process.env.BENCH_SFU_PUBLISHERS ?? 2);
const STEPS = (process.env.BENCH_SFU_STEPS ?? '1,10,25,50,100').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SFU_SECONDS ?? 10);
const [W, H, FPS] = (process.env.BENCH_SFU_VIDEO ?? '640x360@30').split(/[x@]/).map(Number);
/**
 * Video content: `noise` (the default) random pixels, which no encoder compresses, so the publishers send what
 * their bandwidth estimate allows, as a camera does; `pattern` Chromium's fake camera (few bits per frame).
 */
const NOISE = (process.env.BENCH_SFU_CONTENT ?? 'noise') === 'noise';
/** Subscriber PeerConnections per page (each page is a renderer process of its own). */
const PER_PAGE = 25;
/** No step starts after this (the whole bench stays under 5 minutes). */
const BUDGET_MS = 200_000;

type Received = { packets: number; bytes: number; connected: number };
type Api = {
  bench: {
    publishOnly(j: unknown, e: unknown, v: unknown): Promise<number>;
    addSubscribers(o: unknown, n: number): Promise<void>;
    received(): Promise<Received>;
  };
};

/** The call, every official joined by signalling (the starter invites, the others accept). */
async function joins(b: Bench, groupId: string): Promise<CallJoin[]> {
  const [starter, ...others] = b.officials;
  const placed = await starter!.client.calls.place(groupId, 'video');
  const rest = [];
  for (const o of others) {
    await o.client.calls.next('call-ring', placed.join.callId);
    rest.push(await o.client.calls.accept(placed.join.callId));
  }
  return [placed.join, ...rest];
}

type Window = { janus: number; server: number; generator: number; packets: number; bytes: number; s: number };

/** CPU seconds and packets received over SECONDS. */
async function measure(b: Bench, pages: Page[]): Promise<Window> {
  const received = async () => {
    const all = await Promise.all(
      pages.map((p) => p.evaluate(() => (globalThis as unknown as Api).bench.received())),
    );
    return all.reduce((s, r) => ({ packets: s.packets + r.packets, bytes: s.bytes + r.bytes }), {
      packets: 0,
      bytes: 0,
    });
  };
  const cpu = async () => ({
    janus: processCpuSeconds(b.janusPid),
    server: processCpuSeconds(b.server.pid),
    generator: await treeCpuSeconds(b.pages.pid),
  });
  const [c0, r0, t0] = [await cpu(), await received(), performance.now()];
  await sleep(SECONDS * 1000);
  const [c1, r1, t1] = [await cpu(), await received(), performance.now()];
  const s = (t1 - t0) / 1000;
  return {
    janus: (c1.janus - c0.janus) / s,
    server: (c1.server - c0.server) / s,
    generator: (c1.generator - c0.generator) / s,
    packets: (r1.packets - r0.packets) / s,
    bytes: (r1.bytes - r0.bytes) / s,
    s,
  };
}

const cores = (x: number) => `${x.toFixed(3)} cores`;

export async function run(): Promise<void> {
  await withCallsBench(PUBLISHERS, async (b) => {
    const deadline = Date.now() + BUDGET_MS;
    out(
      `generator: headless Chromium (Debian), ${PUBLISHERS} publishers (${NOISE ? 'random-pixel canvas' : 'fake camera'} ${W}×${H} at ${FPS} fps + ` +
        `microphone, VP8/Opus, SFrame), subscribers drop frames before decoding; ${SECONDS} s per step`,
    );
    const groupId = await groupOf(b.officials);
    const idle = await measure(b, []);
    out(`baseline: Janus idle: ${cores(idle.janus)}; server ${cores(idle.server)}`);
    const calls = await joins(b, groupId);
    let privateId = 0;
    for (const [i, o] of b.officials.entries()) {
      const p = await b.pages.open();
      const e = await pageEpoch(o, groupId);
      const v = { width: W, height: H, frameRate: FPS, noise: NOISE };
      const id = await p.page.evaluate(
        ({ j, e: ep, v: vv }) => (globalThis as unknown as Api).bench.publishOnly(j, ep, vv),
        { j: calls[i]!.janus, e, v },
      );
      privateId ||= id;
    }
    await sleep(10_000); // the encoders' bandwidth estimate ramps up
    const pubs = await measure(b, []);
    out(
      `baseline: ${PUBLISHERS} publishers, no subscriber: Janus ${cores(pubs.janus)}; generator ${cores(pubs.generator)}`,
    );
    const room = { url: calls[0]!.janus.url, room: calls[0]!.janus.room, privateId };
    const feeds = calls.map((c) => c.janus.participantId);
    const pages: Page[] = [];
    let subscribers = 0;
    const rows: { streams: number; w: Window }[] = [];
    for (const target of STEPS) {
      if (Date.now() > deadline) {
        out(`(time budget spent: steps from ${target} subscribers skipped)`);
        break;
      }
      while (subscribers < target) {
        if (subscribers % PER_PAGE === 0) pages.push((await b.pages.open()).page);
        const n = Math.min(target - subscribers, PER_PAGE - (subscribers % PER_PAGE));
        await pages[pages.length - 1]!.evaluate(
          ({ o, k }) => (globalThis as unknown as Api).bench.addSubscribers(o, k),
          {
            o: { ...room, feeds },
            k: n,
          },
        );
        subscribers += n;
      }
      await sleep(2000);
      const w = await measure(b, pages);
      const streams = subscribers * PUBLISHERS;
      rows.push({ streams, w });
      const marginal = w.janus - pubs.janus;
      out(
        `${subscribers} subscribers × ${PUBLISHERS} publishers = ${streams} streams: Janus ${cores(w.janus)} ` +
          `(${cores(marginal)} above publishers only), ${(streams / w.janus).toFixed(0)} streams per Janus core ` +
          `(${(streams / Math.max(marginal, 1e-3)).toFixed(0)} marginal); received ${w.packets.toFixed(0)} packets/s ` +
          `(${(w.packets / streams).toFixed(0)} per stream, ${(w.packets / w.janus / 1000).toFixed(1)}k per Janus core, ${((w.bytes * 8) / streams / 1000).toFixed(0)} kbit/s ` +
          `per stream); generator ${cores(w.generator)}, server ${cores(w.server)}`,
      );
    }
    const [first, last] = [rows[0], rows[rows.length - 1]];
    if (first && last && last !== first) {
      const drop = 1 - last.w.packets / last.streams / (first.w.packets / first.streams);
      out(
        `packets per stream at ${last.streams} streams vs ${first.streams}: ${(drop * 100).toFixed(0)}% fewer` +
          (drop > 0.1
            ? ' — the machine (generator and Janus share 2 cores) is saturated, not Janus alone'
            : ''),
      );
    }
  });
}
