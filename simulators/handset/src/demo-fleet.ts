import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApiClient } from '@pakawaaz/api-client';
import {
  attestedPatch,
  DEMO_HANDSETS,
  DEMO_HEALTH_INSTITUTION,
  DEMO_HEALTH_POLICY,
  DEMO_MODEL,
  DEMO_OFFICIALS,
  DEMO_PENDING_COMMAND,
  type DemoHandsetPlan,
} from './demo-plan.js';
import { SimulatedHandset, type SavedHandset } from './handset.js';
import { HandsetHttpError } from './http-error.js';
import { LAB_BOOT_KEY, type LabAttestationRoot } from './lab-attestation.js';
import { mtlsFetch } from './mtls-fetch.js';

export type DemoFleetOptions = {
  apiUrl: string;
  deviceUrl: string;
  root: LabAttestationRoot;
  /** Where the enrolled handsets are kept between starts (0600: it holds their keys). */
  stateFile: string;
  /** A super-admin token for the first start's set-up; null when the state file exists. */
  token: string | null;
  /** The institution identity seeded on first start. */
  demoInstitution: string;
  intervalSeconds: number;
  signal: AbortSignal;
  log: (level: 'info' | 'warn', msg: string, data?: Record<string, unknown>) => void;
  /** After set-up (or restore) and one check-in each: the figures for the log. */
  onReady?: (r: { enrolled: number; compliant: number }) => void;
};

type Member = { plan: DemoHandsetPlan; handset: SimulatedHandset };
type StateFile = { version: 1; handsets: { plan: DemoHandsetPlan; saved: SavedHandset }[] };

/**
 * The embedded demo's handsets: on the first start they are enrolled for the demo officials (made here,
 * through the API, like any administrator would), afterwards restored from the state file; then every
 * handset but the switched-off one checks in every `intervalSeconds` and obeys what the NOC sends it.
 */
export async function runDemoFleet(o: DemoFleetOptions): Promise<void> {
  const restored = await restore(o);
  // The switched-off handset checks in once, at its enrolment, and never again (its command stays pending).
  const { members, compliant } = restored
    ? { members: restored, compliant: await round(restored, o, false) }
    : await setUp(o);
  o.onReady?.({ enrolled: members.length, compliant });
  try {
    while (!o.signal.aborted) {
      await sleep(o.intervalSeconds * 1000 * (0.8 + Math.random() * 0.4), undefined, {
        signal: o.signal,
      }).catch(() => undefined);
      if (o.signal.aborted) break;
      await round(members, o, false);
      await save(o.stateFile, members);
    }
  } finally {
    members.forEach((m) => m.handset.close());
  }
}

/** One check-in of every handset that is on; returns how many are compliant. */
async function round(members: Member[], o: DemoFleetOptions, first: boolean): Promise<number> {
  const on = members.filter((m) => (first || !m.plan.offline) && !m.handset.state.retired);
  const states = await Promise.all(
    on.map((m) =>
      m.handset.checkIn().then(
        (r) => r.compliance.state,
        (err: unknown) => {
          o.log('warn', 'a demo handset could not check in', {
            deviceId: m.handset.deviceId,
            error: why(err),
          });
          return 'error';
        },
      ),
    ),
  );
  return states.filter((s) => s === 'compliant').length;
}

async function restore(o: DemoFleetOptions): Promise<Member[] | null> {
  let text: string;
  try {
    text = await readFile(o.stateFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const state = JSON.parse(text) as StateFile;
  return state.handsets.map(({ plan, saved }, i) => ({
    plan,
    handset: SimulatedHandset.restore(handsetOptions(o, plan, i), saved),
  }));
}

/**
 * Each handset's options; its OTA folder (trusted TUF root, metadata cache) is kept beside the state file, the
 * root taken from the server on first use (lab only: a real handset ships it in its OS image).
 */
function handsetOptions(o: DemoFleetOptions, plan: DemoHandsetPlan, index: number) {
  return {
    apiUrl: o.apiUrl,
    deviceUrl: o.deviceUrl,
    root: o.root,
    model: DEMO_MODEL,
    otaDir: path.join(path.dirname(o.stateFile), 'demo-ota', String(index)),
    trustServerRoot: true,
    ...(plan.securityPatch
      ? { securityPatch: plan.securityPatch, attest: attestedPatch(plan.securityPatch) }
      : {}),
  };
}

type Api = ReturnType<typeof createApiClient>;

/** First start: institutions, officials, the Health policy, enrolments and the pending command. */
async function setUp(o: DemoFleetOptions): Promise<{ members: Member[]; compliant: number }> {
  if (!o.token) throw new Error('the demo fleet has no state file and no token to set itself up');
  const api = createApiClient({ baseUrl: o.apiUrl, token: o.token, fetch: mtlsFetch() });
  const institutions = await ensureInstitutions(api, o.demoInstitution);
  await ensureOfficials(api, institutions);
  await registerLabModel(api).catch((err: unknown) =>
    o.log('warn', 'the demo handsets’ model was not registered with hardened-os', { error: why(err) }),
  );
  await must(
    api.PUT('/api/v1/device-policies/{scope}', {
      params: { path: { scope: institutions.health } },
      // The server's defaults fill the other settings (the generated type lists them as required).
      body: { settings: DEMO_HEALTH_POLICY } as never,
    }),
  ).catch((err: unknown) => o.log('warn', 'the demo policy was not set', { error: why(err) }));
  const members: Member[] = [];
  for (const [i, plan] of DEMO_HANDSETS.entries()) {
    const handset = new SimulatedHandset(handsetOptions(o, plan, i));
    const { token } = await must(
      api.POST('/api/v1/enrolment-tokens', { body: { official: plan.official, expiresInHours: 1 } }),
    );
    await handset.enrol(token);
    members.push({ plan, handset });
  }
  await save(o.stateFile, members);
  const compliant = await round(members, o, true);
  const offline = members.find((m) => m.plan.offline)?.handset.deviceId;
  if (offline)
    await must(
      api.POST('/api/v1/devices/{id}/commands', {
        params: { path: { id: offline } },
        body: { ...DEMO_PENDING_COMMAND, params: { ...DEMO_PENDING_COMMAND.params } },
      }),
    );
  o.log('info', 'demo fleet enrolled', { handsets: members.length, officials: DEMO_OFFICIALS.length });
  return { members, compliant };
}

/**
 * The demo handsets' model and the lab's verified-boot key in hardened-os's registry (on a node serving it),
 * so the NOC's Hardened OS page shows them and `pakawaaz os publish --model labphone …` works out of the box.
 * Already registered (409) is fine: a second first start over the same database.
 */
async function registerLabModel(api: Api): Promise<void> {
  const fine = (res: { response: Response; error?: unknown }) => {
    if (res.response.ok || res.response.status === 409) return;
    if (res.response.status === 404) throw new Error('hardened-os is not served on this node');
    throw new Error(`HTTP ${res.response.status}`);
  };
  fine(
    await api.POST('/api/v1/os/models', {
      body: { codename: DEMO_MODEL, manufacturer: 'Pakawaaz lab', name: 'Lab phone', strongBox: false },
    }),
  );
  fine(
    await api.POST('/api/v1/os/boot-keys', {
      body: {
        model: DEMO_MODEL,
        digest: Buffer.from(LAB_BOOT_KEY).toString('hex'),
        label: 'lab verified-boot key (demo handsets)',
        status: 'active',
      },
    }),
  );
}

async function ensureInstitutions(api: Api, digitalName: string) {
  const { institutions } = await must(api.GET('/api/v1/institutions'));
  const find = (name: string) => institutions.find((i) => i.name === name)?.id;
  const digital = find(digitalName);
  if (!digital) throw new Error(`the demo institution "${digitalName}" is missing`);
  const health =
    find(DEMO_HEALTH_INSTITUTION) ??
    (await must(api.POST('/api/v1/institutions', { body: { name: DEMO_HEALTH_INSTITUTION } }))).id;
  return { digital, health };
}

async function ensureOfficials(api: Api, inst: { digital: string; health: string }): Promise<void> {
  for (const official of DEMO_OFFICIALS) {
    const res = await api.POST('/api/v1/users', {
      body: {
        username: official.username,
        displayName: official.displayName,
        kind: 'official',
        institution: inst[official.institution],
        // Nobody signs in as a demo official until an administrator resets the password.
        password: randomBytes(18).toString('base64url'),
      },
    });
    // 409: made by an earlier start that stopped before it had enrolled its handsets.
    if (res.error && res.response.status !== 409)
      throw new HandsetHttpError(res.response.status, res.error.code, res.error);
  }
}

async function save(file: string, members: Member[]): Promise<void> {
  const state: StateFile = {
    version: 1,
    handsets: members.flatMap((m) => {
      const saved = m.handset.saved();
      return saved ? [{ plan: m.plan, saved }] : [];
    }),
  };
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

async function must<T>(
  call: Promise<{ data?: T; error?: { code?: string; message?: string }; response: Response }>,
): Promise<T> {
  const res = await call;
  if (res.data === undefined)
    throw new HandsetHttpError(res.response.status, res.error?.code, res.error ?? null);
  return res.data;
}

const why = (err: unknown): string =>
  err instanceof HandsetHttpError
    ? (err.code ?? `HTTP ${err.status}`)
    : String((err as Error).message ?? err);
