import type { Page } from 'playwright-core';
import type { CallJoin } from '../chat/chat-calls.js';
import {
  groupOf,
  out,
  pageEpoch,
  sleep,
  spread,
  wallMs,
  withCallsBench,
  type Bench,
} from './calls-bench-kit.js';
import { processCpuSeconds, treeCpuSeconds } from './load.js';

/**
 * Call set-up time (issue 17): invite → media flowing, over BENCH_CALLS calls in sequence (default 100;
 * `npm run bench calls-setup -- --calls N`). The built server with its embedded Janus; two officials enrolled
 * as lab handsets (chat clients over mutual TLS) in a 1:1 chat group; for each call two fresh Chromium
 * contexts (one browser, fake camera and microphone) run the web client's call code. Timed from the caller's
 * `POST /chat/calls` + `call-invite`, through the callee's `call-ring` and `call-accept` (its CallJoin), both
 * pages joining Janus, publishing (SFrame-sealed, keys from each device's own MLS state) and subscribing to
 * the other, to the first decoded video frame on both sides. Same-run baselines: the signalling alone (start,
 * invite, ring, accept; no media) and Janus alone (the same two pages join a room set up before the clock
 * starts: the media path without Pakawaaz in it).
 */
const flag = process.argv.indexOf('--calls');
const CALLS = Number(flag > 0 ? process.argv[flag + 1] : (process.env.BENCH_CALLS ?? 100));
const JANUS_ONLY = Math.min(CALLS, 10);
/** The calls loop stops here whatever CALLS says (the whole bench stays under 5 minutes). */
const BUDGET_MS = 200_000;

type Times = Record<string, number>;
type Evaluated = { bench: { callMedia(j: unknown, e: unknown): Promise<Times> } };

const media = (p: { page: Page }, janus: CallJoin['janus'], epoch: unknown) =>
  p.page.evaluate(({ j, e }) => (globalThis as unknown as Evaluated).bench.callMedia(j, e), {
    j: janus,
    e: epoch,
  });

async function hangUp(b: Bench, callId: string) {
  const [caller, callee] = b.officials;
  await caller!.client.calls.hangUp(callId);
  await callee!.client.calls.hangUp(callId).catch(() => undefined);
  await caller!.client.calls.next('call-ended', callId).catch(() => undefined);
}

/** Start, invite, ring, accept: the signalling round trip (times in ms since `t0`). */
async function signal(b: Bench, groupId: string) {
  const [caller, callee] = b.officials;
  const t0 = wallMs();
  const placed = await caller!.client.calls.place(groupId, 'video');
  const invited = wallMs();
  await callee!.client.calls.next('call-ring', placed.join.callId);
  const rung = wallMs();
  const join = await callee!.client.calls.accept(placed.join.callId);
  const accepted = wallMs();
  return { t0, invited, rung, accepted, caller: placed.join, callee: join };
}

type Row = Record<string, number>;
const phases: [string, string, string][] = [
  ['start + invite (REST, WebSocket)', 't0', 'invited'],
  ['ring delivered to the callee', 'invited', 'rung'],
  ['accept → CallJoin', 'rung', 'accepted'],
  ['callee: camera open', 'accepted', 'camera'],
  ['callee: Janus session + publisher join', 'camera', 'joined'],
  ['callee: publish offer/answer', 'joined', 'published'],
  ['callee: publisher ICE + DTLS', 'published', 'publisherConnected'],
  ['callee: subscribe to the caller', 'remoteFeed', 'subscribed'],
  ['callee: subscriber ICE + DTLS', 'subscribed', 'subscriberConnected'],
  ['callee: first packet after connected', 'subscriberConnected', 'firstPacket'],
  ['callee: first frame decoded after first packet', 'firstPacket', 'firstFrame'],
];

/** `count` calls in sequence (a failed one is counted and reported, and the run goes on). */
async function fullCalls(b: Bench, groupId: string, epochs: unknown[], count: number) {
  const rows: Row[] = [];
  const failures: string[] = [];
  const deadline = Date.now() + BUDGET_MS;
  while (rows.length + failures.length < count && Date.now() < deadline) {
    const pages = await Promise.all([b.pages.open(), b.pages.open()]); // the app open, before the clock
    try {
      rows.push(await signalThenMedia(b, groupId, epochs, pages));
    } catch (e) {
      failures.push((e as Error).message.split('\n')[0]!);
    } finally {
      await Promise.all(pages.map((p) => p.close()));
    }
    await sleep(150); // the closed pages' teardown out of the next call's way (the machine has 2 cores)
  }
  if (rows.length + failures.length < count)
    out(`(time budget of ${BUDGET_MS / 1000} s spent: ${rows.length + failures.length} of ${count} calls)`);
  return { rows, failures };
}

async function signalThenMedia(
  b: Bench,
  groupId: string,
  epochs: unknown[],
  [pa, pb]: { page: Page }[],
): Promise<Row> {
  const [caller, callee] = b.officials;
  const t0 = wallMs();
  const placed = await caller!.client.calls.place(groupId, 'video');
  const invited = wallMs();
  const callId = placed.join.callId;
  try {
    const callerMedia = media(pa!, placed.join.janus, epochs[0]); // the caller's page joins at once
    callerMedia.catch(() => undefined);
    await callee!.client.calls.next('call-ring', callId);
    const rung = wallMs();
    const join = await callee!.client.calls.accept(callId);
    const accepted = wallMs();
    const [tc, te] = await Promise.all([callerMedia, media(pb!, join.janus, epochs[1])]);
    const row: Row = { ...te, t0, invited, rung, accepted };
    row['flowing'] = Math.max(tc['firstFrame']!, te['firstFrame']!);
    row['calleeFrame'] = te['firstFrame']!;
    return row;
  } finally {
    await hangUp(b, callId).catch(() => undefined);
  }
}

async function janusAlone(b: Bench, groupId: string, epochs: unknown[]) {
  const totals: number[] = [];
  const failures: string[] = [];
  for (let i = 0; i < JANUS_ONLY; i++) {
    const s = await signal(b, groupId); // before the clock: the room and both tokens exist
    const pages = await Promise.all([b.pages.open(), b.pages.open()]);
    try {
      const t0 = wallMs();
      const both = await Promise.all([
        media(pages[0], s.caller.janus, epochs[0]),
        media(pages[1], s.callee.janus, epochs[1]),
      ]);
      totals.push(Math.max(both[0]['firstFrame']!, both[1]['firstFrame']!) - t0);
    } catch (e) {
      failures.push((e as Error).message.split('\n')[0]!);
    } finally {
      await hangUp(b, s.caller.callId).catch(() => undefined);
      await Promise.all(pages.map((p) => p.close()));
    }
  }
  return { totals, failures };
}

const failed = (f: string[]) =>
  f.length ? `; ${f.length} failed (${[...new Set(f)].slice(0, 3).join('; ')})` : '; none failed';

export async function run(): Promise<void> {
  await withCallsBench(2, async (b) => {
    const groupId = await groupOf(b.officials);
    const epochs = await Promise.all(b.officials.map((o) => pageEpoch(o, groupId)));
    out(
      `media generator: headless Chromium (Debian), fake camera 320×240 at 15 fps + fake microphone, VP8/Opus`,
    );
    // Warm-up (not counted): the first call pays for the browser's and Janus's first use.
    await fullCalls(b, groupId, epochs, 1);
    const sig: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const s = await signal(b, groupId);
      sig.push(s.accepted - s.t0);
      await hangUp(b, s.caller.callId);
    }
    out(
      `baseline: signalling alone (start + invite → ring → accept, no media), ${sig.length} calls: ${spread(sig)}`,
    );
    const bare = await janusAlone(b, groupId, epochs);
    out(
      `baseline: Janus alone (two pages join a prepared room, publish, subscribe, first frame both ways), ` +
        `${bare.totals.length} joins: ${spread(bare.totals)}${failed(bare.failures)}`,
    );
    const cpu0 = [b.server.pid, b.janusPid].map(processCpuSeconds);
    const gen0 = await treeCpuSeconds(b.pages.pid);
    const { rows, failures } = await fullCalls(b, groupId, epochs, CALLS);
    const cpu = [b.server.pid, b.janusPid].map(
      (p, i) => ((processCpuSeconds(p) - cpu0[i]!) * 1000) / rows.length,
    );
    const gen = (((await treeCpuSeconds(b.pages.pid)) - gen0) * 1000) / rows.length;
    out(
      `call set-up, invite → media flowing both ways (first decoded frame on each side), ${rows.length} calls in sequence: ${spread(rows.map((r) => r['flowing']! - r['t0']!))}${failed(failures)}`,
    );
    out(`  invite → callee's first decoded frame: ${spread(rows.map((r) => r['calleeFrame']! - r['t0']!))}`);
    for (const [name, from, to] of phases) out(`  ${name}: ${spread(rows.map((r) => r[to]! - r[from]!))}`);
    out(
      `  CPU per call: server ${cpu[0]!.toFixed(0)} ms, Janus ${cpu[1]!.toFixed(0)} ms; generator (Chromium) ${gen.toFixed(0)} ms, reported apart`,
    );
  });
}
