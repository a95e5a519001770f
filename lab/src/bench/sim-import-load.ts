import { randomBytes } from 'node:crypto';
import { luhnValid } from '@pakawaaz/core-network';
import { createNas, type Nas } from '../radius-nas/radius-nas.js';
import { controlPlaneApi, signedIn, unwrap } from '../server-process/control-plane-api.js';
import type { ServerProcess } from '../server-process/server-process.js';
import { provisionFleet, type SimFleet } from '../server-process/sim-fleet.js';
import { createEapAkaPeer } from '../sim-peer/eap-aka-peer.js';
import { createUsim, type Usim } from '../sim-peer/usim.js';
import { fmtMs, quantile } from './load.js';

/**
 * The largest SIM import the server allows, uploaded to the built server while an official signs in over
 * RADIUS (a full EAP-AKA authentication: two round trips, the SIM's SQN claimed in the database) and GET
 * /healthz is sampled, each every ~50 ms; the same probes with no import are the baseline. Used by the e2e
 * test (asserts the probes' p99) and by `npm run bench` (prints the figures).
 */

/** The server's defaults (SIM_IMPORT_MAX_ROWS, SIM_IMPORT_MAX_BYTES). */
export const MAX_ROWS = 100_000;
export const MAX_BYTES = 16 * 1024 * 1024;
const PROBE_EVERY_MS = 50;
const IMPORT_TIMEOUT_MS = 600_000;

/**
 * A valid vendor batch of `rows` SIMs (PLMN 001/01, MSINs from `firstMsin`) with msisdn and batch columns,
 * the batch name padded so the file lands just under `targetBytes`. Fast: one random buffer, string slices.
 */
export function largestSimBatch(rows = MAX_ROWS, targetBytes = MAX_BYTES, firstMsin = 5_000_000): Buffer {
  const header = 'imsi,iccid,ki,opc,msisdn,batch\n';
  const fixed = 15 + 1 + 19 + 1 + 32 + 1 + 32 + 1 + 12 + 1 + 1; // every column but the batch name, commas, LF
  const batchLength = Math.max(1, Math.min(64, Math.floor((targetBytes - header.length) / rows) - fixed - 1));
  const batch = `LAB-LARGEST-BATCH-${'X'.repeat(64)}`.slice(0, batchLength);
  const hex = randomBytes(rows * 32).toString('hex');
  const lines: string[] = [header];
  for (let i = 0; i < rows; i++) {
    const msin = String(firstMsin + i).padStart(10, '0');
    const body = `8992001${msin.slice(-11).padStart(11, '0')}`;
    let d = 0;
    while (!luhnValid(`${body}${d}`)) d++;
    const k = hex.slice(i * 64, i * 64 + 32);
    const opc = hex.slice(i * 64 + 32, i * 64 + 64);
    lines.push(`00101${msin},${body}${d},${k},${opc},92300${msin.slice(-7)},${batch}\n`);
  }
  return Buffer.from(lines.join(''));
}

export type ProbeStats = { p50: number; p99: number; max: number; samples: number; failures: number };
export type ImportLoadResult = {
  rows: number;
  bytes: number;
  uploadMs: number;
  importMs: number;
  job: { status: string; imported: number; invalid: number; failure: string | null };
  idle: { healthz: ProbeStats; radius: ProbeStats };
  busy: { healthz: ProbeStats; radius: ProbeStats };
};

function stats(samples: number[], failures: number): ProbeStats {
  const s = Float64Array.from(samples).sort();
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99), max: quantile(s, 1), samples: s.length, failures };
}

/** Runs `probe` every PROBE_EVERY_MS until `until` settles; a failed probe counts as a failure, not a sample. */
async function sample(probe: () => Promise<void>, until: Promise<unknown>): Promise<ProbeStats> {
  let done = false;
  void until.finally(() => (done = true)).catch(() => undefined);
  const samples: number[] = [];
  let failures = 0;
  while (!done) {
    const t0 = performance.now();
    try {
      await probe();
      samples.push(performance.now() - t0);
    } catch {
      failures++;
    }
    const wait = PROBE_EVERY_MS - (performance.now() - t0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return stats(samples, failures);
}

function probes(server: ServerProcess, nas: Nas, fleet: SimFleet) {
  const usims: Usim[] = fleet.sims.map((s) => createUsim({ k: s.k, opc: s.opc }));
  let next = 0;
  return {
    healthz: async () => {
      const res = await fetch(`${server.url}/healthz`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`/healthz ${res.status}`);
    },
    radius: async () => {
      const i = next++ % usims.length;
      const sim = fleet.sims[i]!;
      const r = await nas.eapAka(createEapAkaPeer({ method: 'aka', imsi: sim.imsi, usim: usims[i]! }));
      usims[i] = r.peer.usim;
      if (r.outcome !== 'accept') throw new Error(`EAP-AKA ${r.outcome}`);
    },
  };
}

async function both(p: ReturnType<typeof probes>, until: Promise<unknown>) {
  const [healthz, radius] = await Promise.all([sample(p.healthz, until), sample(p.radius, until)]);
  return { healthz, radius };
}

/** Provisions an official with SIMs and a NAS, measures idle, then imports `csv` while probing. */
export async function importUnderProbes(
  server: ServerProcess,
  adminPassword: string,
  csv: Buffer,
  rows: number,
): Promise<ImportLoadResult> {
  const admin = await signedIn(controlPlaneApi(server.url), 'admin', adminPassword);
  const fleet = await provisionFleet(admin, {
    sims: 4,
    username: 'load.official',
    password: 'violet-harbour-tandem-93',
    radiusSecret: 'lab-import-load-secret-01',
  });
  const nas = await createNas({
    host: '127.0.0.1',
    ...server.radius,
    secret: fleet.radiusSecret,
    timeoutMs: 5_000,
  });
  try {
    const p = probes(server, nas, fleet);
    const idle = await both(p, new Promise((r) => setTimeout(r, 3_000)));
    const t0 = performance.now();
    let uploadMs = 0;
    const work = (async () => {
      const res = await fetch(`${server.url}/api/v1/sims/imports?filename=largest.csv`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', authorization: `Bearer ${admin.token}` },
        body: csv,
      });
      const text = await res.text();
      uploadMs = performance.now() - t0;
      if (res.status !== 202) throw new Error(`POST /api/v1/sims/imports → ${res.status} ${text}`);
      let job = JSON.parse(text) as ImportLoadResult['job'] & { id: string };
      const deadline = Date.now() + IMPORT_TIMEOUT_MS;
      while (job.status === 'queued' || job.status === 'running') {
        if (Date.now() > deadline)
          throw new Error(`import still ${job.status} after ${IMPORT_TIMEOUT_MS} ms`);
        await new Promise((r) => setTimeout(r, 250));
        job = await unwrap(admin.GET('/api/v1/sims/imports/{id}', { params: { path: { id: job.id } } }));
      }
      return job;
    })();
    const busy = await both(p, work);
    const job = await work;
    return { rows, bytes: csv.length, uploadMs, importMs: performance.now() - t0, job, idle, busy };
  } finally {
    await nas.close();
  }
}

const line = (s: ProbeStats) =>
  `p50 ${fmtMs(s.p50)}, p99 ${fmtMs(s.p99)}, max ${fmtMs(s.max)} (${s.samples} samples${s.failures ? `, ${s.failures} FAILED` : ''})`;

export function describeImportLoad(r: ImportLoadResult): string[] {
  return [
    `import of ${r.rows.toLocaleString('en-US')} SIMs, ${(r.bytes / 1024 / 1024).toFixed(1)} MiB: upload ${(r.uploadMs / 1000).toFixed(1)} s, ` +
      `whole job ${(r.importMs / 1000).toFixed(1)} s = ${Math.round((r.rows / r.importMs) * 1000).toLocaleString('en-US')} SIMs/s ` +
      `(${r.job.status}, ${r.job.imported} imported, ${r.job.invalid} invalid)`,
    `/healthz during the import: ${line(r.busy.healthz)}`,
    `/healthz idle (same run):   ${line(r.idle.healthz)}`,
    `RADIUS sign-in (EAP-AKA, 2 round trips) during the import: ${line(r.busy.radius)}`,
    `RADIUS sign-in idle (same run):                            ${line(r.idle.radius)}`,
  ];
}
