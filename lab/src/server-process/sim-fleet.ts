import { randomBytes } from 'node:crypto';
import { DEMO_NETWORK_YAML, luhnValid } from '@pakawaaz/core-network';
import type { Schemas } from '@pakawaaz/api-client';
import { ApiError, unwrap, type ControlPlaneApi } from './control-plane-api.js';

/**
 * Provisions what an EAP-AKA client needs through the real HTTP API, as a NOC operator would: an
 * institution, an official, a RADIUS client for the lab's NAS, a SIM batch (CSV import job) and one
 * subscriber per SIM assigned to the official. IMSIs start 00101: the demo network's PLMN 001/01, which an
 * embedded first start applies by itself and which is applied here when no spec is (PostgreSQL mode).
 */

export type LabSim = {
  readonly imsi: string;
  readonly iccid: string;
  readonly k: Buffer;
  readonly opc: Buffer;
};

export type SimFleet = {
  readonly institution: string;
  readonly official: { readonly id: string; readonly username: string; readonly password: string };
  readonly radiusSecret: string;
  readonly sims: readonly LabSim[];
};

export type FleetInput = {
  readonly sims: number;
  readonly username: string;
  readonly password: string;
  readonly radiusSecret: string;
  readonly institution?: string;
  /** First MSIN (the 10 digits after 00101); distinct fleets on one server need distinct ranges. */
  readonly firstMsin?: number;
  readonly random?: (size: number) => Buffer;
};

const PLMN = '00101';
/** How long an import job may take: a minute, and a millisecond a SIM (100,000 took 54 s on a loaded machine). */
const importTimeoutMs = (sims: number) => 60_000 + sims;
const ASSIGN_CONCURRENCY = 8;

function luhnComplete(body: string): string {
  for (let d = 0; d < 10; d++) if (luhnValid(`${body}${d}`)) return `${body}${d}`;
  throw new RangeError('no Luhn digit');
}

/** `count` SIMs with consecutive IMSIs and fresh K/OPc (randomness is a parameter). */
export function labSims(
  count: number,
  firstMsin = 1,
  random: (size: number) => Buffer = randomBytes,
): LabSim[] {
  return Array.from({ length: count }, (_, i) => {
    const msin = String(firstMsin + i).padStart(10, '0');
    return {
      imsi: `${PLMN}${msin}`,
      iccid: luhnComplete(`8992001${msin.slice(-11).padStart(11, '0')}`),
      k: random(16),
      opc: random(16),
    };
  });
}

export function simCsv(sims: readonly LabSim[]): string {
  const rows = sims.map((s) => `${s.imsi},${s.iccid},${s.k.toString('hex')},${s.opc.toString('hex')}`);
  return `imsi,iccid,ki,opc\n${rows.join('\n')}\n`;
}

type ImportJob = Schemas['SimImportJob'];

/** POST /api/v1/sims/imports (202, a background job), then polls the job until it completes. */
export async function importSims(api: ControlPlaneApi, sims: readonly LabSim[]): Promise<ImportJob> {
  let job = await unwrap(
    api.POST('/api/v1/sims/imports', {
      params: { query: { filename: 'lab-fleet.csv' } },
      body: simCsv(sims),
      bodySerializer: (b: string) => b,
      headers: { 'content-type': 'text/csv' },
    }),
  );
  const timeoutMs = importTimeoutMs(sims.length);
  const deadline = Date.now() + timeoutMs;
  while (job.status === 'queued' || job.status === 'running') {
    if (Date.now() > deadline)
      throw new Error(`SIM import still ${job.status} after ${timeoutMs} ms: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 100));
    job = await unwrap(api.GET('/api/v1/sims/imports/{id}', { params: { path: { id: job.id } } }));
  }
  if (job.status !== 'completed' || job.imported !== sims.length)
    throw new Error(`SIM import ${job.id} ended ${job.status}: ${JSON.stringify(job)}`);
  return job;
}

async function assignAll(api: ControlPlaneApi, sims: readonly LabSim[], official: string) {
  for (let i = 0; i < sims.length; i += ASSIGN_CONCURRENCY) {
    const batch = sims.slice(i, i + ASSIGN_CONCURRENCY);
    await Promise.all(
      batch.map((s) => unwrap(api.POST('/api/v1/subscribers', { body: { imsi: s.imsi, official } }))),
    );
  }
}

/** SIM imports check IMSIs against the applied network spec's PLMN: apply the demo one if there is none yet. */
export async function ensureNetworkSpec(admin: ControlPlaneApi): Promise<void> {
  const current = await unwrap(admin.GET('/api/v1/network/spec')).catch((e: unknown) => {
    if (e instanceof ApiError && (e.status === 404 || e.status === 409)) return undefined;
    throw e;
  });
  if (current?.spec) return;
  // Applied only when there is none yet: against version 0.
  await unwrap(admin.POST('/api/v1/network/spec', { body: { yaml: DEMO_NETWORK_YAML, baseVersion: 0 } }));
}

export async function provisionFleet(admin: ControlPlaneApi, input: FleetInput): Promise<SimFleet> {
  await ensureNetworkSpec(admin);
  const institution = input.institution ?? 'Lab Ministry of Simulated Affairs';
  await unwrap(admin.POST('/api/v1/institutions', { body: { name: institution } }));
  const displayName = 'Lab Official';
  const user = await unwrap(
    admin.POST('/api/v1/users', {
      body: {
        kind: 'official',
        username: input.username,
        displayName,
        password: input.password,
        institution,
      },
    }),
  );
  await unwrap(
    admin.POST('/api/v1/radius/clients', {
      body: { name: `lab-nas-${input.username}`, cidr: '127.0.0.1', secret: input.radiusSecret },
    }),
  );
  const sims = labSims(input.sims, input.firstMsin ?? 1, input.random);
  await importSims(admin, sims);
  await assignAll(admin, sims, user.id);
  return {
    institution,
    official: { id: user.id, username: input.username, password: input.password },
    radiusSecret: input.radiusSecret,
    sims,
  };
}
