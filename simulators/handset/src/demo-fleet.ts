import { randomBytes } from 'node:crypto';
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
import { readFleetState, writeFleetState, type DemoStorePins, type StoreKeys } from './demo-fleet-state.js';
import { SimulatedHandset, type HandsetOptions, type SavedHandset } from './handset.js';
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
  /**
   * The MQTT broker the handsets listen on for pushes (the embedded one's `mqtts://host:port`): a command sent
   * from the NOC reaches them at once. Without it they only poll every `intervalSeconds`.
   */
  pushUrl?: string;
  /**
   * Binds the store's verifiers to one handset's pins (see `HandsetOptions.store`). Passed in by the process
   * that composes the fleet: the catalogue verifier is app-store's, which the simulator does not import.
   * Without it the handsets record the apps they are told to install unchecked.
   */
  store?: (pins: DemoStorePins) => NonNullable<HandsetOptions['store']>;
  signal: AbortSignal;
  log: (level: 'info' | 'warn', msg: string, data?: Record<string, unknown>) => void;
  /** After set-up (or restore) and one check-in each: the figures for the log. */
  onReady?: (r: { enrolled: number; compliant: number }) => void;
};

type Member = { plan: DemoHandsetPlan; handset: SimulatedHandset; institution?: string };
type Fleet = { members: Member[]; keys?: StoreKeys };

/**
 * The embedded demo's handsets: on the first start they are enrolled for the demo officials (made here,
 * through the API, like any administrator would), afterwards restored from the state file; then every
 * handset but the switched-off one checks in every `intervalSeconds` and obeys what the NOC sends it.
 */
export async function runDemoFleet(o: DemoFleetOptions): Promise<void> {
  const restored = await restore(o);
  // The switched-off handset checks in once, at its enrolment, and never again (its command stays pending).
  const { fleet, compliant } = restored ? await resume(restored, o) : await setUp(o);
  const { members } = fleet;
  o.onReady?.({ enrolled: members.length, compliant });
  // Saves one at a time (a push's check-in and a round's may end together): the file is replaced whole.
  let saving = Promise.resolve();
  const saveNow = () =>
    (saving = saving
      .then(() => save(o.stateFile, fleet))
      .catch((err: unknown) => o.log('warn', 'the demo fleet state was not saved', { error: why(err) })));
  // The switched-off handset stays off the broker too: its pending command waits for it.
  if (o.pushUrl)
    for (const m of members.filter((x) => !x.plan.offline && !x.handset.state.retired))
      m.handset.connectPush(o.pushUrl, {
        onWoken: () => void saveNow(),
        onError: (err) =>
          o.log('warn', 'a demo handset could not check in after a push', {
            deviceId: m.handset.deviceId,
            error: why(err),
          }),
      });
  try {
    while (!o.signal.aborted) {
      await sleep(o.intervalSeconds * 1000 * (0.8 + Math.random() * 0.4), undefined, {
        signal: o.signal,
      }).catch(() => undefined);
      if (o.signal.aborted) break;
      await round(members, o, false);
      await saveNow();
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
      checkIn(m.handset, !first).catch((err: unknown) => {
        o.log('warn', 'a demo handset could not check in', { deviceId: m.handset.deviceId, error: why(err) });
        return 'error';
      }),
    ),
  );
  return states.filter((s) => s === 'compliant').length;
}

/**
 * A check-in; a handset that obeyed commands (not on its first check-in, where the offline one is left its
 * pending command) checks in again at once to report what it did, as an agent acknowledges a command when it
 * has an outcome rather than a check-in interval later: the NOC sees an install a few seconds after it.
 */
async function checkIn(handset: SimulatedHandset, acknowledgeAtOnce: boolean): Promise<string> {
  const reply = await handset.checkIn();
  if (!acknowledgeAtOnce || reply.commands.length === 0 || handset.state.retired)
    return reply.compliance.state;
  return (await handset.checkIn()).compliance.state;
}

/** A restored fleet: pinned now when its state file predates the pins (a set-up token came with it). */
async function resume(fleet: Fleet, o: DemoFleetOptions): Promise<{ fleet: Fleet; compliant: number }> {
  const unpinned = !fleet.keys || fleet.members.some((m) => !m.institution);
  if (o.store && unpinned && o.token) {
    const api = createApiClient({ baseUrl: o.apiUrl, token: o.token, fetch: mtlsFetch() });
    fleet = await pin(api, fleet.members, o).catch((err: unknown) => {
      o.log('warn', 'the demo handsets could not pin the store: they install apps unchecked', {
        error: why(err),
      });
      return fleet;
    });
    await save(o.stateFile, fleet);
  } else if (o.store && unpinned)
    o.log('warn', 'the demo handsets have no store pins: they install apps unchecked');
  return { fleet, compliant: await round(fleet.members, o, false) };
}

/**
 * Pins the store for the fleet (trust on first use, as the handsets take the server's TUF root: a real handset
 * ships the catalogue and log keys in its OS image or agent, and learns its institution when it is enrolled),
 * and gives each handset the verified installer. The institution is read from each device record.
 */
async function pin(api: Api, members: Member[], o: DemoFleetOptions): Promise<Fleet> {
  if (!o.store) return { members };
  const catalogueKey = (await must(api.GET('/api/v1/store/catalogue/key'))).jwk as Record<string, unknown>;
  const logKey = (await must<string>(api.GET('/api/v1/store/log/key', { parseAs: 'text' }))).trim();
  const keys: StoreKeys = { catalogueKey, logKey };
  const pinned: Member[] = [];
  for (const [i, m] of members.entries()) {
    const id = m.handset.deviceId;
    const saved = m.handset.saved();
    if (!id || !saved) {
      pinned.push(m);
      continue;
    }
    const device = await must(api.GET('/api/v1/devices/{id}', { params: { path: { id } } }));
    const institution = device.institutionId ?? undefined;
    if (!institution) {
      pinned.push(m);
      continue;
    }
    m.handset.close();
    pinned.push(withStore(o, m.plan, i, saved, { ...keys, institution }));
  }
  return { members: pinned, keys };
}

function withStore(
  o: DemoFleetOptions,
  plan: DemoHandsetPlan,
  index: number,
  saved: SavedHandset,
  pins: DemoStorePins | undefined,
): Member {
  const store = pins && o.store?.(pins);
  return {
    plan,
    handset: SimulatedHandset.restore(
      { ...handsetOptions(o, plan, index), ...(store ? { store } : {}) },
      saved,
    ),
    ...(pins ? { institution: pins.institution } : {}),
  };
}

async function restore(o: DemoFleetOptions): Promise<Fleet | null> {
  const state = await readFleetState(o.stateFile);
  if (!state) return null;
  const keys = state.store;
  return {
    members: state.handsets.map(({ plan, saved, institution }, i) =>
      withStore(o, plan, i, saved, keys && institution ? { ...keys, institution } : undefined),
    ),
    ...(keys ? { keys } : {}),
  };
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
async function setUp(o: DemoFleetOptions): Promise<{ fleet: Fleet; compliant: number }> {
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
  const fleet = await pin(api, members, o).catch((err: unknown) => {
    o.log('warn', 'the demo handsets could not pin the store: they install apps unchecked', {
      error: why(err),
    });
    return { members };
  });
  await save(o.stateFile, fleet);
  const compliant = await round(fleet.members, o, true);
  const offline = fleet.members.find((m) => m.plan.offline)?.handset.deviceId;
  if (offline)
    await must(
      api.POST('/api/v1/devices/{id}/commands', {
        params: { path: { id: offline } },
        body: { ...DEMO_PENDING_COMMAND, params: { ...DEMO_PENDING_COMMAND.params } },
      }),
    );
  o.log('info', 'demo fleet enrolled', {
    handsets: fleet.members.length,
    officials: DEMO_OFFICIALS.length,
    verifiedInstalls: fleet.members.filter((m) => m.institution).length,
  });
  return { fleet, compliant };
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

async function save(file: string, fleet: Fleet): Promise<void> {
  await writeFleetState(file, {
    version: 1,
    ...(fleet.keys ? { store: fleet.keys } : {}),
    handsets: fleet.members.flatMap((m) => {
      const saved = m.handset.saved();
      return saved ? [{ plan: m.plan, saved, ...(m.institution ? { institution: m.institution } : {}) }] : [];
    }),
  });
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
