import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { encodeEap } from '@pakawaaz/eap-aka';
import { attributeBytes, attributeText } from '@pakawaaz/radius';
import { createNas, type Nas, type NasAttribute } from '../radius-nas/radius-nas.js';
import type { ServerProcess } from '../server-process/server-process.js';
import type { SimFleet } from '../server-process/sim-fleet.js';
import { createEapAkaPeer } from '../sim-peer/eap-aka-peer.js';
import { createUsim, type Usim } from '../sim-peer/usim.js';
import { closedLoop, describeLoad, fmtInt, processCpuSeconds, type LoadResult } from './load.js';

/**
 * (a) Full EAP-AKA authentications over RADIUS against the real server process: EAP-Response/Identity →
 * Access-Challenge (AKA-Challenge) → Access-Request (AT_RES, AT_MAC) → Access-Accept with MPPE keys that
 * must match the peer's MSK. Each SIM is used by one conversation at a time (its USIM's SQN must move
 * forward in order), drawn from a pool of many SIMs so no single SQN row is hot. The baseline is the same
 * NAS doing the same two round trips against a trivial responder in its own process.
 */

const CONCURRENCY = 64;
const MAX_AUTHS = 20_000;
const MAX_MS = 20_000;
const WARM_UP = { count: 400, ms: 10_000 };
const UNLOADED = { count: 200, ms: 4_000 };
const BASELINE = { count: 40_000, ms: 8_000 };
const TARGET_PER_SECOND = 1_000;
const ECHO_MAIN = fileURLToPath(new URL('../radius-nas/echo-responder-main.js', import.meta.url));

type SimSlot = { readonly imsi: string; usim: Usim };

/** Free SIMs; a worker takes one for a whole conversation and returns it with the USIM state it ended with. */
function simPool(fleet: SimFleet): { take(): SimSlot; give(slot: SimSlot): void } {
  const free: SimSlot[] = fleet.sims.map((s) => ({ imsi: s.imsi, usim: createUsim({ k: s.k, opc: s.opc }) }));
  return {
    take: () => {
      const slot = free.shift();
      if (!slot) throw new Error('more workers than SIMs');
      return slot;
    },
    give: (slot) => void free.push(slot),
  };
}

const NAS_ATTRIBUTES: readonly NasAttribute[] = [
  { type: 'NAS-Identifier', value: 'lab-bench-ap' },
  { type: 'Called-Station-Id', value: '02-00-00-00-00-01:PAKAWAAZ' },
  { type: 'Framed-MTU', value: 1400 },
];

function eapAkaOp(nas: Nas, pool: ReturnType<typeof simPool>) {
  return async (): Promise<boolean> => {
    const slot = pool.take();
    try {
      const peer = createEapAkaPeer({ method: 'aka', imsi: slot.imsi, usim: slot.usim });
      const r = await nas.eapAka(peer, [...NAS_ATTRIBUTES, { type: 'Calling-Station-Id', value: slot.imsi }]);
      slot.usim = r.peer.usim;
      if (r.outcome === 'accept' && r.keysMatch) return true;
      const message = attributeText(r.reply, 'Reply-Message') ?? '';
      throw new Error(
        `${slot.imsi}: ${r.outcome} after ${r.rounds} rounds, keysMatch=${r.keysMatch} ${message}`,
      );
    } finally {
      pool.give(slot);
    }
  };
}

/** The baseline responder as a child process; resolves once it printed its port. */
async function startEcho(secret: string): Promise<{ port: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [ECHO_MAIN], {
    env: { PATH: process.env.PATH ?? '', ECHO_SECRET: secret },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  const stop = async (): Promise<void> => {
    process.off('exit', kill);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  };
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  return { port: (JSON.parse(line) as { port: number }).port, stop };
}

function baselineOp(nas: Nas) {
  const data = Buffer.from('0001010000000001@wlan.mnc001.mcc001.3gppnetwork.org');
  const eap = encodeEap({ code: 'response', identifier: 0, body: { type: 'identity', data } }).bytes;
  return async (): Promise<boolean> => {
    const attributes: NasAttribute[] = [
      { type: 'User-Name', value: 'lab' },
      { type: 'EAP-Message', value: eap },
      ...NAS_ATTRIBUTES,
    ];
    const challenge = await nas.accessRequest(attributes);
    const state = attributeBytes(challenge.packet, 'State');
    if (challenge.packet.code !== 'Access-Challenge' || !state) return false;
    const accept = await nas.accessRequest([...attributes, { type: 'State', value: state }]);
    return accept.packet.code === 'Access-Accept';
  };
}

async function measureBaseline(secret: string): Promise<LoadResult> {
  const echo = await startEcho(secret);
  const nas = await createNas({ host: '127.0.0.1', authPort: echo.port, acctPort: echo.port, secret });
  try {
    const op = baselineOp(nas);
    await closedLoop({ concurrency: CONCURRENCY, maxCount: 2_000, maxMs: 3_000, op });
    return await closedLoop({ concurrency: CONCURRENCY, maxCount: BASELINE.count, maxMs: BASELINE.ms, op });
  } finally {
    await nas.close();
    await echo.stop();
  }
}

/** One line of server CPU per authentication: where the time goes when the rate is CPU-bound. */
function cpuLine(server: ServerProcess, seconds: number, auths: number, wallMs: number): string {
  if (Number.isNaN(seconds)) return '  server CPU: not readable here (/proc)';
  const perAuth = (1000 * seconds) / Math.max(1, auths);
  return `  server process CPU: ${perAuth.toFixed(2)} ms per authentication (${((100 * seconds * 1000) / wallMs).toFixed(0)}% of one core), pid ${server.pid}`;
}

async function measured(
  server: ServerProcess,
  op: () => Promise<boolean>,
  out: (line: string) => void,
): Promise<LoadResult> {
  const unloaded = await closedLoop({ concurrency: 1, maxCount: UNLOADED.count, maxMs: UNLOADED.ms, op });
  out(describeLoad('unloaded latency, concurrency 1', 'auths', unloaded));
  const cpu0 = processCpuSeconds(server.pid);
  const real = await closedLoop({ concurrency: CONCURRENCY, maxCount: MAX_AUTHS, maxMs: MAX_MS, op });
  out(describeLoad(`eap-aka over radius, concurrency ${CONCURRENCY}`, 'auths', real));
  out(cpuLine(server, processCpuSeconds(server.pid) - cpu0, real.latencies.length, real.elapsedMs));
  return real;
}

export async function benchEapAkaOverRadius(
  server: ServerProcess,
  fleet: SimFleet,
  out: (line: string) => void,
): Promise<void> {
  const nas = await createNas({
    host: '127.0.0.1',
    ...server.radius,
    secret: fleet.radiusSecret,
    timeoutMs: 3_000,
  });
  try {
    const op = eapAkaOp(nas, simPool(fleet));
    const warm = await closedLoop({
      concurrency: CONCURRENCY,
      maxCount: WARM_UP.count,
      maxMs: WARM_UP.ms,
      op,
    });
    out(describeLoad(`warm-up (${fleet.sims.length} SIMs)`, 'auths', warm));
    const real = await measured(server, op, out);
    const s = nas.stats();
    out(
      `  NAS: ${fmtInt(s.requests)} Access-Requests, ${fmtInt(s.retransmissions)} retransmitted, ${fmtInt(s.timeouts)} timed out`,
    );
    const baseline = await measureBaseline(fleet.radiusSecret);
    out(describeLoad('baseline: same NAS, same 2 round trips to a trivial responder', 'exchanges', baseline));
    const verdict = real.perSecond >= TARGET_PER_SECOND && real.failures === 0 ? 'PASS' : 'FAIL';
    out(
      `→ eap-aka over radius: ${fmtInt(real.perSecond)} auths/s vs baseline ${fmtInt(baseline.perSecond)}/s = ` +
        `${(baseline.perSecond / real.perSecond).toFixed(1)}x cost of EAP + Milenage + DB; ${verdict} (target ≥ ${fmtInt(TARGET_PER_SECOND)}/s)`,
    );
  } finally {
    await nas.close();
  }
}
