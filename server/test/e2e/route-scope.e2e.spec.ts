import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuthEventsService } from '@pakawaaz/identity';
import { DATABASE, sql, type DatabaseHandle } from '@pakawaaz/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSim, simCsv } from '@pakawaaz/test-support';
import { DEVICE_FIXTURES, type DeviceScopeWorld } from '../support/route-scope-device-fixtures.js';
import {
  desktopCall,
  enrolDesktop,
  forbidDesktopsInDatabase,
  joinGroupOfA,
  type Desktop,
} from '../support/route-scope-desktops.js';
import {
  deviceCall,
  deviceMarkersOfA,
  devicePortEnv,
  deviceSnapshotOfA,
  replyOf,
  seedDeviceRowsOfA,
  type DeviceReply,
  type DeviceRowsOfA,
} from '../support/route-scope-devices.js';
import {
  seedStoreOfA,
  STORE_PACKAGE_OF_A,
  storeMarkersOfA,
  storeSnapshotOfA,
  type StoreOfA,
} from '../support/route-scope-store.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * Generated scope tests, driven by the committed openapi.json (`x-pakawaaz-scope` per operation), beside the
 * generated authentication tests (route-auth). Institution B's principals — a viewer and an official signed
 * in through the API, and API tokens of B with every institution role the registry lists — must:
 * - never reach a `national` operation (403 national_only, before the handler);
 * - never see institution A's rows (nor national rows) through an `institution` operation, nor change them;
 * - through `self` operations, touch nothing of another user;
 * - through `device` operations (a handset's, authenticated by its certificate), get nothing: 401;
 * and B's handset (lab-attested, enrolled, on the device port) must not reach A's handset's rows through them,
 * nor B's official's browser enrolled as a desktop device (token + DPoP proof on the main port), which the
 * handsets-only operations refuse outright, as they refuse a desktop whose device policy forbids desktops.
 * A's rows are real, and A's principals read them through the same requests: an id that does not exist would
 * answer 404 whatever the scope check did.
 * An operation without a classification, or an `institution`/`self`/`device` operation without an entry in the
 * tables below (device ones in ../support/route-scope-device-fixtures.ts), fails this test: a new route is
 * added here on purpose.
 */

type Operation = {
  'x-pakawaaz-scope'?: string;
  'x-pakawaaz-roles'?: string[];
  'x-pakawaaz-devices'?: string[];
  security?: unknown[];
  responses?: Record<string, { content?: Record<string, { schema?: { allOf?: unknown[] } }> }>;
};
type Spec = {
  paths: Record<string, Record<string, Operation>>;
  'x-pakawaaz-registry': { roles: { name: string; scope: 'national' | 'institution' }[] };
};
const spec = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../openapi.json', import.meta.url)), 'utf8'),
) as Spec;
const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({
    key: `${method.toUpperCase()} ${path}`,
    method: method.toUpperCase(),
    path,
    scope: op['x-pakawaaz-scope'],
    /** A device operation's callers: a desktop is refused `not_a_handset` where it is not among them. */
    devices: op['x-pakawaaz-devices'] ?? [],
    secured: Array.isArray(op.security) && op.security.length > 0,
    responses: op.responses ?? {},
  })),
);

/** A 4xx the server answers on an operation carries a code the contract documents for it under that status. */
function expectDocumented(op: (typeof operations)[number], r: Reply): void {
  if (r.status < 400 || r.status >= 500) return;
  const allOf = op.responses[String(r.status)]?.content?.['application/json']?.schema?.allOf ?? [];
  const documented = allOf.flatMap(
    (x) => (x as { properties?: { code?: { enum?: string[] } } }).properties?.code?.enum ?? [],
  );
  const code = (r.body as { code?: string } | null)?.code;
  expect(documented, `${op.key} answered ${r.status} ${code}, undocumented in openapi.json`).toContain(code);
}
const byScope = (scope: string) => operations.filter((o) => o.scope === scope);
const INSTITUTION_ROLES = spec['x-pakawaaz-registry'].roles
  .filter((r) => r.scope === 'institution')
  .map((r) => r.name);

const PASSWORD = 'amber-orchard-violin-7';
const SIMS = [fakeSim(9001), fakeSim(9002), fakeSim(9003)];
const [SIM_A, SIM_B1, SIM_NATIONAL] = SIMS.map((s) => s.imsi) as [string, string, string];

let server: TestServer;
let admin: string;
let dir: string;
/** What the tests refer to: ids of A's and B's rows, and B's principals. */
const w = {
  a: '',
  b: '',
  b1: '',
  /** B1's sibling department: B1's directory shows it (and B), its scope holds neither. */
  b2: '',
  /** A developer organisation of B, to which B's reviewers try to add A's official. */
  orgB: '',
  officialA: { id: '', username: 'scope-official-a' },
  operatorA: { id: '', username: 'scope-operator-a' },
  officialB: { id: '', username: 'scope-official-b' },
  officialB1: { id: '', username: 'scope-official-b1' },
  viewerB: { id: '', username: 'scope-viewer-b' },
  viewerB1: { id: '', username: 'scope-viewer-b1' },
  adminId: '',
  sessionA: '',
  sessionB: '',
  tokenA: '',
  fileA: '',
  passkeyA: 'c2NvcGUtZTJlLXBhc3NrZXktb2YtYQ',
  /** A handset of A (inserted as enrolment would) with one queued command, and an enrolment token of A. */
  deviceA: 'dddddddd-aaaa-4aaa-8aaa-00000000000a',
  commandA: '',
  enrolmentTokenA: '',
  /** A device group of A holding deviceA, with a policy of its own. */
  groupA: '',
  botA: '',
  botB: '',
  /** An OS rollout whose first ring is A's (A's institution placed in the pilot ring). */
  osRolloutA: '',
  /** A's app store: a developer organisation, an app with an approved version and one in review, a rollout. */
  storeA: {} as StoreOfA,
  /** Enrolled handsets of A and B, and the rows of A's handset (a command, an attachment, a group, a call). */
  devicesA: {} as DeviceRowsOfA,
  /** A's official's desktop device (a member of A's group beside A's handset), once enrolled. */
  desktopA: '',
};
/**
 * Officials' browsers enrolled as desktop devices: A's (a member of A's group beside A's handset), B's, and
 * one of department B1 whose device policy in force forbids desktops (turned off behind the server's back,
 * so it is not yet retired).
 */
const desktops = { a: {} as Desktop, b: {} as Desktop, forbidden: {} as Desktop };
/** B's principals: name → bearer token. Users first (self operations need an account). */
const principalsOfB: { name: string; token: string; user?: { id: string; username: string } }[] = [];
/** Principals of department B1 (child of B): a viewer signed in, and a token with every institution role. */
const principalsOfB1: { name: string; token: string }[] = [];

type Reply = DeviceReply;
async function call(method: string, path: string, token: string, body?: unknown): Promise<Reply> {
  return replyOf(await server.request(method, path, { token, ...(body === undefined ? {} : { body }) }));
}
async function ok<T>(method: string, path: string, body?: unknown, token = admin): Promise<T> {
  const r = await call(method, path, token, body);
  if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${r.text}`);
  return r.body as T;
}
async function signIn(username: string): Promise<{ accessToken: string; sessionId: string; userId: string }> {
  const r = await ok<{ status: string; accessToken: string; sessionId: string; userId: string }>(
    'POST',
    '/api/v1/auth/login',
    { username, password: PASSWORD },
    '',
  );
  if (r.status !== 'authenticated') throw new Error(`${username}: ${r.status}`);
  return r;
}
const user = (username: string, institution: string, extra: Record<string, unknown> = {}) =>
  ok<{ id: string }>('POST', '/api/v1/users', {
    kind: 'official',
    username,
    displayName: `Scope ${username}`,
    password: PASSWORD,
    institution,
    ...extra,
  });

async function importAndAssign(): Promise<void> {
  const res = await server.request('POST', '/api/v1/sims/imports?filename=scope.csv', {
    token: admin,
    body: simCsv(SIMS),
    headers: { 'content-type': 'text/csv' },
  });
  const job = (await res.json()) as { id: string };
  for (
    let i = 0;
    (await ok<{ status: string }>('GET', `/api/v1/sims/imports/${job.id}`)).status !== 'completed';
    i++
  ) {
    if (i > 300) throw new Error('the SIM import did not complete');
    await new Promise((r) => setTimeout(r, 100));
  }
  const assign = (imsi: string, userId: string, institutionId: string | null) =>
    ok('POST', '/api/v1/subscribers', { imsi, userId, displayName: `Holder of ${imsi}`, institutionId });
  await assign(SIM_A, w.officialA.id, w.a);
  await assign(SIM_B1, w.officialB1.id, w.b1);
  // A SIM is an official's, and an official an institution's: the third SIM goes to a ministry that is
  // neither A nor B (a national operator's account may not hold one).
  const c = (await ok<{ id: string }>('POST', '/api/v1/institutions', { name: 'Scope Ministry C' })).id;
  await assign(SIM_NATIONAL, (await user('scope-official-c', c)).id, c);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-route-scope-'));
  const device = await devicePortEnv(dir);
  server = await startTestServer({
    OPEN5GS_MONITOR: 'off',
    PAKAWAAZ_LOGIN_RATE_PER_ACCOUNT: '1000',
    ...device.env,
  });
  admin = await server.adminToken();
  w.adminId = (await ok<{ id: string }>('GET', '/api/v1/auth/me')).id;
  w.a = (await ok<{ id: string }>('POST', '/api/v1/institutions', { name: 'Scope Ministry A' })).id;
  w.b = (await ok<{ id: string }>('POST', '/api/v1/institutions', { name: 'Scope Ministry B' })).id;
  w.b1 = (
    await ok<{ id: string }>('POST', '/api/v1/institutions', { name: 'Scope Department B1', parentId: w.b })
  ).id;
  w.officialA.id = (await user(w.officialA.username, w.a)).id;
  w.operatorA.id = (await user(w.operatorA.username, w.a, { kind: 'operator', roles: ['viewer'] })).id;
  w.officialB.id = (await user(w.officialB.username, w.b)).id;
  w.officialB1.id = (await user(w.officialB1.username, w.b1)).id;
  w.b2 = (
    await ok<{ id: string }>('POST', '/api/v1/institutions', { name: 'Scope Department B2', parentId: w.b })
  ).id;
  await user('scope-official-b2', w.b2);
  w.viewerB1.id = (await user(w.viewerB1.username, w.b1, { kind: 'operator', roles: ['viewer'] })).id;
  w.orgB = (
    await ok<{ id: string }>('POST', '/api/v1/store/orgs', { name: 'Scope B IT', institutionId: w.b })
  ).id;
  w.viewerB.id = (await user(w.viewerB.username, w.b, { kind: 'operator', roles: ['viewer'] })).id;
  const a = await signIn(w.officialA.username);
  w.sessionA = a.sessionId;
  w.tokenA = a.accessToken;
  w.fileA = (
    await ok<{ id: string }>(
      'POST',
      '/api/v1/chat/files',
      { sizeBytes: 10, sha256: 'a'.repeat(64) },
      w.tokenA,
    )
  ).id;
  await signIn(w.operatorA.username);
  const db = server.app.get<DatabaseHandle>(DATABASE);
  await db.db.execute(
    sql`insert into identity.passkeys (id, user_id, name, public_key, transports, device_type, backed_up)
        values (${w.passkeyA}, ${w.officialA.id}, 'A''s security key', '\\x00', '{usb}', 'singleDevice', false)`,
  );
  // Before A's and B1's SIMs are assigned: from then on their sign-ins ask for a second factor (the SIM).
  await ok('PUT', `/api/v1/device-policies/${w.b1}`, { settings: { allowDesktop: true } });
  const desktop = (o: { username: string }) =>
    enrolDesktop(server, async () => (await signIn(o.username)).accessToken);
  [desktops.a, desktops.b, desktops.forbidden] = await Promise.all([
    desktop(w.officialA),
    desktop(w.officialB),
    desktop(w.officialB1),
  ]);
  w.desktopA = desktops.a.deviceId;
  await importAndAssign();
  await db.db.execute(
    sql`insert into device_mgmt.devices (id, user_id, institution_id, imsi, imei, model, attestation, last_attested_at)
        values (${w.deviceA}, ${w.officialA.id}, ${w.a}, ${SIM_A}, '490154203237518', 'Scope A phone', '{}', now())`,
  );
  w.enrolmentTokenA = (
    await ok<{ id: string }>('POST', '/api/v1/enrolment-tokens', { official: w.officialA.username })
  ).id;
  w.commandA = (
    await ok<{ id: string }>('POST', `/api/v1/devices/${w.deviceA}/commands`, { type: 'lock' })
  ).id;
  w.groupA = (
    await ok<{ id: string }>('POST', '/api/v1/device-groups', { name: 'Scope A group', institutionId: w.a })
  ).id;
  await ok('POST', `/api/v1/device-groups/${w.groupA}/members`, { devices: [w.deviceA] });
  await ok('PUT', `/api/v1/device-groups/${w.groupA}/policy`, { settings: { cameraAllowed: false } });
  const bot = (institutionId: string, name: string) =>
    ok<{ id: string }>('POST', '/api/v1/chat/bots', {
      name,
      institutionId,
      webhookUrl: `https://${name}.example/webhook`,
    });
  w.botA = (await bot(w.a, 'eoffice-a')).id;
  w.botB = (await bot(w.b, 'eoffice-b')).id;
  await ok('POST', '/api/v1/os/models', {
    codename: 'shiba',
    manufacturer: 'Google',
    name: 'Pixel 8',
    strongBox: true,
  });
  const build = 'BP1A.250105.004';
  const release = await ok<{ id: string }>('POST', '/api/v1/os/releases', {
    model: 'shiba',
    buildId: build,
    fingerprint: `google/shiba/shiba:15/${build}/1:user/release-keys`,
    version: '15',
    securityPatchLevel: '2025-01-05',
    channel: 'stable',
  });
  await ok('PUT', `/api/v1/os/rings/${w.a}`, { ring: 'pilot' });
  w.osRolloutA = (await ok<{ id: string }>('POST', '/api/v1/os/rollouts', { releaseId: release.id })).id;
  // Independent of each other: enrolling the handsets and publishing A's app overlap.
  [w.devicesA, w.storeA] = await Promise.all([
    seedDeviceRowsOfA({
      server,
      admin,
      root: device.root,
      officialA: w.officialA,
      officialB: w.officialB,
      institutionA: w.a,
    }),
    seedStoreOfA({
      server,
      admin,
      adminId: w.adminId,
      institution: w.a,
      reviewer: async () => {
        await user('scope-reviewer-a', w.a, { kind: 'operator', roles: ['app-reviewer'] });
        return (await signIn('scope-reviewer-a')).accessToken;
      },
    }),
  ]);

  const viewer = await signIn(w.viewerB.username);
  const official = await signIn(w.officialB.username);
  w.sessionB = official.sessionId;
  // Sign-in events are written in batches off the request path: write A's and B's now.
  await server.app.get(AuthEventsService, { strict: false }).flush();
  principalsOfB.push({ name: 'viewer of B (user)', token: viewer.accessToken, user: w.viewerB });
  principalsOfB.push({ name: 'official of B (user)', token: official.accessToken, user: w.officialB });
  for (const roles of [...INSTITUTION_ROLES.map((r) => [r]), INSTITUTION_ROLES]) {
    const created = await ok<{ token: string }>('POST', '/api/v1/tokens', {
      name: `scope-b-${roles.join('+')}`,
      roles,
      institutionId: w.b,
    });
    principalsOfB.push({ name: `API token of B (${roles.join(', ')})`, token: created.token });
  }
  principalsOfB1.push({
    name: 'viewer of B1 (user)',
    token: (await signIn(w.viewerB1.username)).accessToken,
  });
  const b1Token = await ok<{ token: string }>('POST', '/api/v1/tokens', {
    name: 'scope-b1-all',
    roles: INSTITUTION_ROLES,
    institutionId: w.b1,
  });
  principalsOfB1.push({ name: `API token of B1 (${INSTITUTION_ROLES.join(', ')})`, token: b1Token.token });
});
afterAll(async () => {
  w.devicesA.handsetA?.close();
  w.devicesA.handsetB?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Anything that identifies a row of A, or a national row: none of it may reach a principal of B. */
const forbiddenMarkers = () => [
  w.a,
  w.officialA.id,
  w.officialA.username,
  w.operatorA.id,
  w.operatorA.username,
  w.adminId,
  w.sessionA,
  w.passkeyA,
  w.deviceA,
  w.commandA,
  w.enrolmentTokenA,
  w.groupA,
  w.botA,
  SIM_A,
  SIM_NATIONAL,
  'scope-reviewer-a',
  ...storeMarkersOfA(w.storeA),
  ...deviceMarkersOfA(w.devicesA),
  ...(w.desktopA ? [w.desktopA] : []),
];
function expectNoLeak(reply: Reply, what: string): void {
  for (const marker of forbiddenMarkers())
    expect(reply.text.includes(marker), `${what} leaks ${marker}: ${reply.text.slice(0, 300)}`).toBe(false);
}

/** A's account as the super-admin sees it: whatever B does, this must not change. */
async function snapshotOfA(): Promise<unknown> {
  const [officialA, operatorA, sessions, passkeys] = await Promise.all([
    ok('GET', `/api/v1/users/${w.officialA.id}`),
    ok('GET', `/api/v1/users/${w.operatorA.id}`),
    ok<{ sessions: { id: string }[] }>('GET', `/api/v1/users/${w.officialA.id}/sessions`),
    db().execute(sql`select id, name from identity.passkeys where user_id = ${w.officialA.id}`),
  ]);
  const devicesOfA = await db().execute(
    sql`select d.state, c.type, c.state as command from device_mgmt.devices d
        left join device_mgmt.device_commands c on c.device_id = d.id where d.id = ${w.deviceA} order by c.type`,
  );
  const policiesOfA = await db().execute(
    sql`select version from device_mgmt.device_policies where scope = ${w.a}`,
  );
  const subscriber = await ok('GET', `/api/v1/subscribers/${SIM_A}`);
  const institution = await ok('GET', `/api/v1/institutions/${w.a}`);
  const intruders = await ok('GET', '/api/v1/users?search=scope-intruder');
  const device = await ok('GET', `/api/v1/devices/${w.deviceA}`);
  const enrolmentTokens = await ok('GET', '/api/v1/enrolment-tokens');
  const deviceGroup = await ok('GET', `/api/v1/device-groups/${w.groupA}`);
  const deviceGroupsOfA = await ok('GET', `/api/v1/device-groups?institution=${w.a}`);
  const deviceGroupPolicy = await ok('GET', `/api/v1/device-groups/${w.groupA}/policy`);
  const chatFileA = await ok('GET', `/api/v1/chat/files/${w.fileA}`, undefined, w.tokenA);
  const botsOfA = await db().execute(
    sql`select id, name, state, webhook_url from secure_chat.bots where institution_id = ${w.a} order by id`,
  );
  const orgsOfA = await db().execute(
    sql`select org_id from app_store.org_members where user_id = ${w.officialA.id} order by org_id`,
  );
  const stripVolatile = (s: { sessions: { id: string }[] }) => s.sessions.map((x) => x.id).sort();
  return {
    officialA,
    operatorA,
    sessions: stripVolatile(sessions),
    passkeys: JSON.stringify(passkeys),
    devices: JSON.stringify(devicesOfA),
    devicePolicies: JSON.stringify(policiesOfA),
    subscriber,
    institution,
    intruders,
    device,
    enrolmentTokens,
    deviceGroup,
    deviceGroupsOfA,
    deviceGroupPolicy,
    chatFileA,
    botsOfA: JSON.stringify(botsOfA),
    orgsOfA: JSON.stringify(orgsOfA),
    storeA: await storeSnapshotOfA(server, admin, w.storeA),
  };
}
const db = () => server.app.get<DatabaseHandle>(DATABASE).db;

type InstitutionFixture =
  /**
   * A read: B's principals get 403/404 or a reply without A's rows; `sees` is what B's viewer must see, and
   * `seenByA` what A's app reviewer sees through the same request (A's rows are there to leak).
   */
  | { read: () => string; sees?: () => string[]; seenByA?: () => string[] }
  /** A change aimed at A's row: B's principals get 403/404 and A's rows stay as they were. */
  | { write: () => { path: string; body?: unknown } };

const INSTITUTION_FIXTURES: Record<string, InstitutionFixture> = {
  'GET /api/v1/institutions': { read: () => '/api/v1/institutions', sees: () => [w.b, w.b1] },
  'GET /api/v1/institutions/{id}': { read: () => `/api/v1/institutions/${w.a}` },
  'GET /api/v1/rollout': { read: () => '/api/v1/rollout', sees: () => [w.b, w.b1] },
  'GET /api/v1/sessions': { read: () => '/api/v1/sessions', sees: () => [w.sessionB] },
  'GET /api/v1/auth-events': { read: () => '/api/v1/auth-events?limit=1000', sees: () => [w.officialB.id] },
  'DELETE /api/v1/sessions/{id}': { write: () => ({ path: `/api/v1/sessions/${w.sessionA}` }) },
  'GET /api/v1/subscribers': { read: () => '/api/v1/subscribers?limit=200', sees: () => [SIM_B1] },
  'GET /api/v1/subscribers/{imsi}': { read: () => `/api/v1/subscribers/${SIM_A}` },
  'GET /api/v1/users': {
    read: () => '/api/v1/users?limit=200',
    sees: () => [w.officialB.username, w.officialB1.username],
  },
  'GET /api/v1/users/{id}': { read: () => `/api/v1/users/${w.officialA.id}` },
  'GET /api/v1/users/{id}/sessions': { read: () => `/api/v1/users/${w.officialA.id}/sessions` },
  'POST /api/v1/users': {
    write: () => ({
      path: '/api/v1/users',
      body: {
        kind: 'official',
        username: 'scope-intruder',
        displayName: 'Intruder',
        password: PASSWORD,
        institution: w.a,
      },
    }),
  },
  'PATCH /api/v1/users/{id}': {
    write: () => ({ path: `/api/v1/users/${w.officialA.id}`, body: { displayName: 'Renamed by B' } }),
  },
  'POST /api/v1/users/{id}/disable': {
    write: () => ({ path: `/api/v1/users/${w.officialA.id}/disable`, body: { reason: 'by B' } }),
  },
  'POST /api/v1/users/{id}/enable': {
    write: () => ({ path: `/api/v1/users/${w.officialA.id}/enable`, body: {} }),
  },
  'POST /api/v1/users/{id}/password-reset': {
    write: () => ({ path: `/api/v1/users/${w.officialA.id}/password-reset`, body: {} }),
  },
  'POST /api/v1/users/{id}/unlock': { write: () => ({ path: `/api/v1/users/${w.officialA.id}/unlock` }) },
  'POST /api/v1/users/{id}/factor-reset': {
    write: () => ({
      path: `/api/v1/users/${w.officialA.id}/factor-reset`,
      body: { reason: 'reset by B', password: true },
    }),
  },
  'DELETE /api/v1/users/{id}/sessions': {
    write: () => ({ path: `/api/v1/users/${w.officialA.id}/sessions` }),
  },
  // Bulk onboarding is a security officer's (a national role): every principal of B is refused.
  'GET /api/v1/user-imports': { read: () => '/api/v1/user-imports' },
  'GET /api/v1/user-imports/{id}': { read: () => `/api/v1/user-imports/${NO_SUCH_JOB}` },
  'POST /api/v1/user-imports': { write: () => ({ path: '/api/v1/user-imports', body: {} }) },
  'POST /api/v1/user-imports/{id}/codes': {
    write: () => ({ path: `/api/v1/user-imports/${NO_SUCH_JOB}/codes` }),
  },
  'GET /api/v1/device-policies': { read: () => '/api/v1/device-policies', sees: () => ['national'] },
  'GET /api/v1/device-policies/{scope}': { read: () => `/api/v1/device-policies/${w.a}` },
  'PUT /api/v1/device-policies/{scope}': {
    write: () => ({ path: `/api/v1/device-policies/${w.a}`, body: { settings: { cameraAllowed: false } } }),
  },
  // Device groups: A's are not said to exist to B; B cannot make one in A nor pull A's handsets in.
  'GET /api/v1/device-groups': { read: () => `/api/v1/device-groups?institution=${w.a}` },
  'GET /api/v1/device-groups/{id}': { read: () => `/api/v1/device-groups/${w.groupA}` },
  'GET /api/v1/device-groups/{id}/policy': { read: () => `/api/v1/device-groups/${w.groupA}/policy` },
  'POST /api/v1/device-groups': {
    write: () => ({
      path: '/api/v1/device-groups',
      body: { name: 'Scope intruder group', institutionId: w.a },
    }),
  },
  'PATCH /api/v1/device-groups/{id}': {
    write: () => ({ path: `/api/v1/device-groups/${w.groupA}`, body: { name: 'Renamed by B' } }),
  },
  'DELETE /api/v1/device-groups/{id}': { write: () => ({ path: `/api/v1/device-groups/${w.groupA}` }) },
  'POST /api/v1/device-groups/{id}/members': {
    write: () => ({ path: `/api/v1/device-groups/${w.groupA}/members`, body: { devices: [w.deviceA] } }),
  },
  'DELETE /api/v1/device-groups/{id}/members/{deviceId}': {
    write: () => ({ path: `/api/v1/device-groups/${w.groupA}/members/${w.deviceA}` }),
  },
  'PUT /api/v1/device-groups/{id}/policy': {
    write: () => ({
      path: `/api/v1/device-groups/${w.groupA}/policy`,
      body: { settings: { cameraAllowed: true } },
    }),
  },
  'GET /api/v1/devices/{id}/commands': { read: () => `/api/v1/devices/${w.deviceA}/commands` },
  'POST /api/v1/devices/{id}/commands': {
    write: () => ({ path: `/api/v1/devices/${w.deviceA}/commands`, body: { type: 'wipe' } }),
  },
  'POST /api/v1/devices/{id}/commands/{commandId}/cancel': {
    write: () => ({ path: `/api/v1/devices/${w.deviceA}/commands/${w.commandA}/cancel` }),
  },
};
const NO_SUCH_JOB = '00000000-0000-4000-8000-0000000000aa';
Object.assign(INSTITUTION_FIXTURES, {
  'GET /api/v1/devices': { read: () => '/api/v1/devices?limit=200' },
  'GET /api/v1/devices/summary': { read: () => '/api/v1/devices/summary' },
  'GET /api/v1/devices/os': { read: () => '/api/v1/devices/os' },
  'GET /api/v1/devices/{id}': { read: () => `/api/v1/devices/${w.deviceA}` },
  'POST /api/v1/devices/{id}/retire': {
    write: () => ({ path: `/api/v1/devices/${w.deviceA}/retire`, body: { reason: 'retired by B' } }),
  },
  'POST /api/v1/devices/{id}/lost': {
    write: () => ({ path: `/api/v1/devices/${w.deviceA}/lost`, body: { reason: 'declared lost by B' } }),
  },
  'GET /api/v1/enrolment-tokens': { read: () => '/api/v1/enrolment-tokens' },
  'GET /api/v1/os/rollouts': { read: () => '/api/v1/os/rollouts' },
  'GET /api/v1/os/rollouts/{id}': { read: () => `/api/v1/os/rollouts/${w.osRolloutA}` },
  // B's readers see their own institutions' rings (broad unless set), never A's.
  'GET /api/v1/os/rings': { read: () => '/api/v1/os/rings', sees: () => [w.b] },
  'POST /api/v1/enrolment-tokens': {
    write: () => ({ path: '/api/v1/enrolment-tokens', body: { official: w.officialA.username } }),
  },
  'DELETE /api/v1/enrolment-tokens/{id}': {
    write: () => ({ path: `/api/v1/enrolment-tokens/${w.enrolmentTokenA}` }),
  },
  // The app store: B's principals belong to no developer organisation of A (nor any), and review nothing of A.
  'GET /api/v1/store/apps': {
    read: () => '/api/v1/store/apps',
    seenByA: () => [w.storeA.app, STORE_PACKAGE_OF_A],
  },
  'GET /api/v1/store/apps/{id}/versions': {
    read: () => `/api/v1/store/apps/${w.storeA.app}/versions`,
    seenByA: () => [w.storeA.approved, w.storeA.inReview, w.storeA.apkSha256],
  },
  'GET /api/v1/store/reviews': { read: () => '/api/v1/store/reviews', seenByA: () => [w.storeA.inReview] },
  'GET /api/v1/store/orgs': { read: () => '/api/v1/store/orgs', seenByA: () => [w.storeA.org] },
  'POST /api/v1/store/apps/versions': { write: () => ({ path: '/api/v1/store/apps/versions', body: {} }) },
  'PUT /api/v1/store/apps/{id}/mandatory': {
    write: () => ({ path: `/api/v1/store/apps/${w.storeA.app}/mandatory`, body: { mandatory: true } }),
  },
  'POST /api/v1/store/versions/{id}/reviews': {
    write: () => ({
      path: `/api/v1/store/versions/${w.storeA.inReview}/reviews`,
      body: { decision: 'approve', reason: 'scope test' },
    }),
  },
  // The APK transparency log is one national log, public to every signed-in principal by design (hashes and
  // signed notes, no institution's rows).
  'GET /api/v1/store/log/checkpoint': { read: () => '/api/v1/store/log/checkpoint' },
  'GET /api/v1/store/log/key': { read: () => '/api/v1/store/log/key' },
  'GET /api/v1/store/log/inclusion': { read: () => `/api/v1/store/log/inclusion?sha256=${'0'.repeat(64)}` },
  'GET /api/v1/store/log/consistency': { read: () => '/api/v1/store/log/consistency?from=0' },
  'GET /api/v1/store/policies/{scope}': { read: () => `/api/v1/store/policies/${w.a}` },
  'PUT /api/v1/store/policies/{scope}': {
    write: () => ({
      path: `/api/v1/store/policies/${w.a}`,
      body: { permissionAllow: null, permissionDeny: [], minTargetSdk: 1, allowCleartext: true },
    }),
  },
  'POST /api/v1/store/versions/{id}/withdraw': {
    write: () => ({ path: `/api/v1/store/versions/${w.storeA.approved}/withdraw` }),
  },
  'POST /api/v1/store/orgs': {
    write: () => ({ path: '/api/v1/store/orgs', body: { name: 'scope-intruder-org', institutionId: w.a } }),
  },
  // A's catalogue: out of B's scope, as unknown as an institution without one.
  'GET /api/v1/store/institutions/{id}/catalogue': {
    read: () => `/api/v1/store/institutions/${w.a}/catalogue`,
    seenByA: () => [w.a, w.storeA.apkSha256],
  },
  'POST /api/v1/store/institutions/{id}/catalogue/rebuild': {
    write: () => ({ path: `/api/v1/store/institutions/${w.a}/catalogue/rebuild` }),
  },
  // App rollouts: A's are not said to exist to B; B cannot roll out to A.
  'GET /api/v1/store/rollouts': { read: () => '/api/v1/store/rollouts', seenByA: () => [w.storeA.rollout] },
  'GET /api/v1/store/rollouts/{id}': {
    read: () => `/api/v1/store/rollouts/${w.storeA.rollout}`,
    seenByA: () => [w.storeA.approved],
  },
  'POST /api/v1/store/rollouts': {
    write: () => ({
      path: '/api/v1/store/rollouts',
      body: { versionId: w.storeA.approved, institutionId: w.b, percent: 5 },
    }),
  },
  'POST /api/v1/store/rollouts/{id}/percent': {
    write: () => ({ path: `/api/v1/store/rollouts/${w.storeA.rollout}/percent`, body: { percent: 50 } }),
  },
  'POST /api/v1/store/rollouts/{id}/pause': {
    write: () => ({ path: `/api/v1/store/rollouts/${w.storeA.rollout}/pause` }),
  },
  'POST /api/v1/store/rollouts/{id}/resume': {
    write: () => ({ path: `/api/v1/store/rollouts/${w.storeA.rollout}/resume` }),
  },
  'POST /api/v1/store/rollouts/{id}/halt': {
    write: () => ({ path: `/api/v1/store/rollouts/${w.storeA.rollout}/halt`, body: { reason: 'intruder' } }),
  },
  'POST /api/v1/store/versions/{id}/kill': {
    write: () => ({ path: `/api/v1/store/versions/${w.storeA.approved}/kill`, body: { reason: 'intruder' } }),
  },
  // B's own organisation: B's reviewers cannot make A's official one of its developers.
  'POST /api/v1/store/orgs/{id}/members': {
    write: () => ({ path: `/api/v1/store/orgs/${w.orgB}/members`, body: { userId: w.officialA.id } }),
  },
  // Chat attachments: B's chat-admin sees B's usage only, and cannot delete A's file.
  'GET /api/v1/chat/admin/files/usage': { read: () => '/api/v1/chat/admin/files/usage' },
  'DELETE /api/v1/chat/admin/files/{id}': { write: () => ({ path: `/api/v1/chat/admin/files/${w.fileA}` }) },
  // Chat policies: B reads B's (defaults when none is stored), never A's; setting them is national.
  'GET /api/v1/chat/policies': { read: () => '/api/v1/chat/policies', sees: () => [w.b] },
  'GET /api/v1/chat/policies/{institutionId}': { read: () => `/api/v1/chat/policies/${w.a}` },
  // e-Office bots: B lists B's bots only, cannot register one for A, nor disable A's or rotate its secret.
  'GET /api/v1/chat/bots': { read: () => '/api/v1/chat/bots', sees: () => [w.botB] },
  // Call records: an institution sees the calls involving its officials (none of A's here).
  'GET /api/v1/calls/history': { read: () => '/api/v1/calls/history?limit=200' },
  'POST /api/v1/chat/bots': {
    write: () => ({
      path: '/api/v1/chat/bots',
      body: { name: 'intruder', institutionId: w.a, webhookUrl: 'https://intruder.example/hook' },
    }),
  },
  'POST /api/v1/chat/bots/{id}/disable': { write: () => ({ path: `/api/v1/chat/bots/${w.botA}/disable` }) },
  'POST /api/v1/chat/bots/{id}/webhook-secret/rotate': {
    write: () => ({ path: `/api/v1/chat/bots/${w.botA}/webhook-secret/rotate` }),
  },
} satisfies Record<string, InstitutionFixture>);

/**
 * Self operations, called by B's users with plausible bodies (a function: one naming rows seeded before the
 * tests); `check` looks at the reply.
 */
const SELF_FIXTURES: Record<
  string,
  { path?: () => string; body?: unknown; check?: (r: Reply, caller: { id: string }) => void }
> = {
  'GET /api/v1/auth/me': {
    check: (r, caller) => expect((r.body as { id: string }).id).toBe(caller.id),
  },
  'GET /api/v1/account/sessions': {
    check: (r, caller) => {
      const sessions = (r.body as { sessions: { userId: string }[] }).sessions;
      expect(sessions.length).toBeGreaterThan(0);
      for (const s of sessions) expect(s.userId).toBe(caller.id);
    },
  },
  'GET /api/v1/account/passkeys': {},
  'POST /api/v1/account/passkeys/options': {},
  'POST /api/v1/account/passkeys': { body: { name: 'stolen', response: { id: w.passkeyA } } },
  'DELETE /api/v1/account/passkeys/{id}': {
    path: () => `/api/v1/account/passkeys/${w.passkeyA}`,
    check: (r) => expect(r.status).toBe(404),
  },
  'POST /api/v1/account/totp': {},
  'POST /api/v1/account/totp/confirm': { body: { code: '000000' } },
  'DELETE /api/v1/account/totp': {},
  'POST /api/v1/account/recovery-codes': {},
  'GET /api/v1/directory': { path: () => '/api/v1/directory?q=scope' },
  // An official's own attachments: A's file is not found for B's users, whatever they ask, nor A's chat group
  // one they may tag an upload with.
  'POST /api/v1/chat/files': {
    body: () => ({ sizeBytes: 10, sha256: 'a'.repeat(64), groupId: w.devicesA.groupA }),
    check: (r) => expect((r.body as { code?: string }).code, r.text).toBe('group_not_found'),
  },
  'GET /api/v1/chat/files/{id}': {
    path: () => `/api/v1/chat/files/${w.fileA}`,
    check: (r) => expect(r.status).toBe(404),
  },
  'PATCH /api/v1/chat/files/{id}': {
    path: () => `/api/v1/chat/files/${w.fileA}`,
    check: (r) => expect(r.status).toBe(404),
  },
  'POST /api/v1/chat/files/{id}/link': {
    path: () => `/api/v1/chat/files/${w.fileA}/link`,
    check: (r) => expect(r.status).toBe(404),
  },
  'DELETE /api/v1/chat/files/{id}': {
    path: () => `/api/v1/chat/files/${w.fileA}`,
    check: (r) => expect(r.status).toBe(404),
  },
  // A desktop device is enrolled for the caller only (a CSR that is no CSR here: refused before anything).
  'POST /api/v1/enrolment/desktop': {
    body: { csr: 'MAA=' },
    check: (r) => expect([400, 422]).toContain(r.status),
  },
  // The caller's own token, re-issued bound to a DPoP key: without a proof, nothing is issued.
  'POST /api/v1/auth/token/dpop': { check: (r) => expect(r.status).toBe(401) },
  'POST /api/v1/auth/password': { body: { currentPassword: 'not-the-password', newPassword: 'x' } },
  // Last: it ends the caller's session.
  'POST /api/v1/auth/logout': {},
};

describe('every operation is classified in openapi.json', () => {
  it('public operations are exactly those without security; every other one is national, institution, self or device', () => {
    for (const op of operations) {
      expect(op.scope, op.key).toBeOneOf(
        op.secured ? ['national', 'institution', 'self', 'device'] : ['public'],
      );
    }
  });

  it('every institution and self operation has a fixture here, and no fixture is stale', () => {
    expect(
      byScope('institution')
        .map((o) => o.key)
        .sort(),
    ).toEqual(Object.keys(INSTITUTION_FIXTURES).sort());
    expect(
      byScope('self')
        .map((o) => o.key)
        .sort(),
    ).toEqual(Object.keys(SELF_FIXTURES).sort());
  });

  it('the principals of B cover every role an institution operator may hold', () => {
    expect(INSTITUTION_ROLES.length).toBeGreaterThan(0);
    expect(principalsOfB.length).toBe(2 + INSTITUTION_ROLES.length + 1);
  });
});

describe('national operations refuse every principal of an institution before the handler', () => {
  it.each(byScope('national').map((o) => [o.key, o] as const))('%s → 403 national_only', async (_key, op) => {
    const url = op.path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
    const body = ['POST', 'PUT', 'PATCH'].includes(op.method) ? {} : undefined;
    for (const p of principalsOfB) {
      const r = await call(op.method, url, p.token, body);
      expectDocumented(op, r);
      expect([r.status, (r.body as { code?: string }).code], `${p.name}: ${r.text}`).toEqual([
        403,
        'national_only',
      ]);
    }
  });
});

describe('device operations take no bearer token', () => {
  it('has at least one (GET /api/v1/device/whoami)', () => {
    expect(byScope('device').map((o) => o.key)).toContain('GET /api/v1/device/whoami');
  });

  it.each(byScope('device').map((o) => [o.key, o] as const))(
    '%s → 401 device_certificate_required for every principal of B',
    async (_key, op) => {
      const url = op.path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      const body = ['POST', 'PUT', 'PATCH'].includes(op.method) ? {} : undefined;
      for (const p of principalsOfB) {
        const r = await call(op.method, url, p.token, body);
        expectDocumented(op, r);
        expect([r.status, (r.body as { code?: string }).code], `${p.name}: ${r.text}`).toEqual([
          401,
          'device_certificate_required',
        ]);
      }
    },
  );
});

describe('device operations keep a handset of B to its rows', () => {
  const x = (): DeviceScopeWorld => ({
    d: w.devicesA,
    callerOfA: w.devicesA.handsetA.deviceId,
    institutionA: w.a,
    officialA: w.officialA,
    apkSha256A: w.storeA.apkSha256,
  });

  // A's accounts and handsets as the super-admin sees them, before and after B's handset calls everything
  // (A's handset's own calls touch only its rows, compared around each of B's changes).
  let before: unknown;
  it('every device operation has a fixture here, and no fixture is stale', async () => {
    before = await snapshotOfA();
    expect(
      byScope('device')
        .map((o) => o.key)
        .sort(),
    ).toEqual(Object.keys(DEVICE_FIXTURES).sort());
  });

  it.each(byScope('device').map((o) => [o.key, o] as const))('%s', async (key, op) => {
    const fixture = DEVICE_FIXTURES[key];
    if (!fixture) throw new Error(`no fixture for ${key}: add one to DEVICE_FIXTURES`);
    const { path: p, body } = fixture.request(x());
    const before = op.method === 'GET' ? null : await deviceSnapshotOfA(server, w.devicesA);
    const r = await deviceCall(server, w.devicesA.handsetB, op.method, p, body);
    expectDocumented(op, r);
    if (fixture.refusedWith) {
      expect([403, 404], `B's handset: ${r.text}`).toContain(r.status);
      expect((r.body as { code?: string }).code, r.text).toBe(fixture.refusedWith);
    } else expect(r.status, `B's handset: ${r.text}`).toBeLessThan(500);
    expectNoLeak(r, `${key} as B's handset`);
    if (before !== null) expect(await deviceSnapshotOfA(server, w.devicesA)).toEqual(before);
    if (!fixture.seenByA) return;
    const a = await deviceCall(server, w.devicesA.handsetA, op.method, p, body);
    expect(a.status, `A's handset: ${a.text}`).toBeLessThan(300);
    for (const marker of fixture.seenByA(x())) expect(a.text, `A's handset sees ${marker}`).toContain(marker);
  });

  it('nothing of A changed', async () => {
    expect(await snapshotOfA()).toEqual(before);
  });
});

describe('device operations keep a desktop device of B to its rows', () => {
  const x = (): DeviceScopeWorld => ({
    d: w.devicesA,
    callerOfA: desktops.a.deviceId,
    institutionA: w.a,
    officialA: w.officialA,
    apkSha256A: w.storeA.apkSha256,
  });
  const said = (r: Reply) => {
    const body = r.body as { code?: string; details?: { reason?: string } };
    return [r.status, body.code, body.details?.reason];
  };

  let before: unknown;
  beforeAll(async () => {
    await joinGroupOfA(server, w.devicesA, desktops.a, w.officialA.id, w.a);
    await forbidDesktopsInDatabase(server, w.b1);
    before = await snapshotOfA();
  });

  it('the desktops are desktop devices of their officials, the forbidden one still enrolled', async () => {
    for (const [d, official] of [
      [desktops.a, w.officialA],
      [desktops.b, w.officialB],
      [desktops.forbidden, w.officialB1],
    ] as const) {
      const device = await ok<{ kind: string; state: string; official: { id: string } }>(
        'GET',
        `/api/v1/devices/${d.deviceId}`,
      );
      expect([device.kind, device.state, device.official.id]).toEqual(['desktop', 'active', official.id]);
    }
  });

  it.each(byScope('device').map((o) => [o.key, o] as const))('%s', async (key, op) => {
    const fixture = DEVICE_FIXTURES[key];
    if (!fixture) throw new Error(`no fixture for ${key}: add one to DEVICE_FIXTURES`);
    const { path: p, body } = fixture.request(x());
    const before = op.method === 'GET' ? null : await deviceSnapshotOfA(server, w.devicesA);
    const r = await desktopCall(server, desktops.b, op.method, p, body);
    expectDocumented(op, r);
    const handsetsOnly = !op.devices.includes('desktop');
    if (handsetsOnly)
      expect(said(r), `B's desktop: ${r.text}`).toEqual([401, 'device_certificate_refused', 'not_a_handset']);
    else if (fixture.refusedWith) {
      expect([403, 404], `B's desktop: ${r.text}`).toContain(r.status);
      expect((r.body as { code?: string }).code, r.text).toBe(fixture.refusedWith);
    } else expect(r.status, `B's desktop: ${r.text}`).toBeLessThan(500);
    expectNoLeak(r, `${key} as B's desktop`);
    // The device policy in force is asked on every request, before the route's own checks.
    const f = await desktopCall(server, desktops.forbidden, op.method, p, body);
    expectDocumented(op, f);
    expect(said(f), `B1's forbidden desktop: ${f.text}`).toEqual([403, 'forbidden', 'desktop_forbidden']);
    expectNoLeak(f, `${key} as B1's forbidden desktop`);
    if (before !== null) expect(await deviceSnapshotOfA(server, w.devicesA)).toEqual(before);
    if (!fixture.seenByA || handsetsOnly) return;
    const a = await desktopCall(server, desktops.a, op.method, p, body);
    expect(a.status, `A's desktop: ${a.text}`).toBeLessThan(300);
    for (const marker of fixture.seenByA(x())) expect(a.text, `A's desktop sees ${marker}`).toContain(marker);
  });

  it('nothing of A changed', async () => {
    expect(await snapshotOfA()).toEqual(before);
  });
});

describe('institution operations keep B to its rows', () => {
  it.each(byScope('institution').map((o) => [o.key, o] as const))('%s', async (key, op) => {
    const fixture = INSTITUTION_FIXTURES[key];
    if (!fixture) throw new Error(`no fixture for ${key}: add one to INSTITUTION_FIXTURES`);
    if ('read' in fixture) {
      for (const p of principalsOfB) {
        const r = await call(op.method, fixture.read(), p.token);
        expectDocumented(op, r);
        expect([200, 403, 404], `${p.name}: ${r.text}`).toContain(r.status);
        expectNoLeak(r, `${key} as ${p.name}`);
      }
      // The filter is a filter, not a refusal: B's viewer does see B's rows.
      if (fixture.sees) {
        const r = await call(op.method, fixture.read(), principalsOfB[0]!.token);
        expect(r.status).toBe(200);
        for (const marker of fixture.sees()) expect(r.text, `B's viewer sees ${marker}`).toContain(marker);
      }
      return;
    }
    const before = await snapshotOfA();
    for (const p of principalsOfB) {
      const { path, body } = fixture.write();
      const r = await call(op.method, path, p.token, body);
      expectDocumented(op, r);
      expect([403, 404], `${p.name}: ${r.text}`).toContain(r.status);
      expectNoLeak(r, `${key} as ${p.name}`);
    }
    expect(await snapshotOfA()).toEqual(before);
  });

  it.each(
    Object.entries(INSTITUTION_FIXTURES).flatMap(([key, f]) =>
      'seenByA' in f && f.seenByA ? [[key, f.read, f.seenByA] as const] : [],
    ),
  )('A’s app reviewer reads A’s rows through %s (the fixture is not vacuous)', async (_key, read, seen) => {
    const r = await call('GET', read(), w.storeA.reviewerToken);
    expect(r.status, r.text).toBe(200);
    for (const marker of seen()) expect(r.text, `A's reviewer sees ${marker}`).toContain(marker);
  });

  it('B’s viewer reads B’s own rows through the same operations (the fixtures are not vacuous)', async () => {
    const viewer = principalsOfB[0]!.token;
    expect((await call('GET', `/api/v1/subscribers/${SIM_B1}`, viewer)).status).toBe(200);
    expect((await call('GET', `/api/v1/users/${w.officialB1.id}`, viewer)).status).toBe(200);
    expect((await call('GET', `/api/v1/institutions/${w.b1}`, viewer)).status).toBe(200);
    // …and the super-admin still sees A's rows: they exist.
    expect((await call('GET', `/api/v1/subscribers/${SIM_A}`, admin)).status).toBe(200);
  });
});

describe('self operations act on the caller only', () => {
  it('B’s users call every self operation and nothing of A changes', async () => {
    const before = await snapshotOfA();
    for (const p of principalsOfB.filter((x) => x.user)) {
      // In the table's order: logout, which ends the caller's session, comes last.
      const selfOps = Object.keys(SELF_FIXTURES).flatMap((k) => byScope('self').filter((o) => o.key === k));
      for (const op of selfOps) {
        const fixture = SELF_FIXTURES[op.key];
        if (!fixture) throw new Error(`no fixture for ${op.key}: add one to SELF_FIXTURES`);
        const body = typeof fixture.body === 'function' ? (fixture.body as () => unknown)() : fixture.body;
        const r = await call(op.method, fixture.path?.() ?? op.path, p.token, body);
        expectDocumented(op, r);
        expect(r.status, `${op.key} as ${p.name}: ${r.text}`).toBeLessThan(500);
        expectNoLeak(r, `${op.key} as ${p.name}`);
        fixture.check?.(r, p.user!);
      }
    }
    expect(await snapshotOfA()).toEqual(before);
    // A's own session still works: nobody else's logout or revocation touched it.
    expect((await call('GET', '/api/v1/auth/me', w.tokenA)).status).toBe(200);
  });
});

describe('a department sees its ministry and sibling departments by name only', () => {
  const BRIEF = ['id', 'kind', 'name', 'parentId'];
  type Listed = { id: string; users?: number };

  it('GET /api/v1/institutions and /institutions/{id}: no users, grants, scope nor phase beyond B1', async () => {
    expect(principalsOfB1.length).toBe(2);
    for (const p of principalsOfB1) {
      const r = await call('GET', '/api/v1/institutions', p.token);
      expect(r.status, `${p.name}: ${r.text}`).toBe(200);
      const listed = (r.body as { institutions: Listed[] }).institutions;
      expect(listed.map((i) => i.id)).toContain(w.b1);
      expect(listed.find((i) => i.id === w.b1)?.users, p.name).toBeGreaterThanOrEqual(2);
      for (const i of listed.filter((x) => x.id !== w.b1))
        expect(Object.keys(i).sort(), `${p.name} sees ${JSON.stringify(i)}`).toEqual(BRIEF);
      expectNoLeak(r, `GET /api/v1/institutions as ${p.name}`);
      for (const id of [w.b, w.b2]) {
        const one = await call('GET', `/api/v1/institutions/${id}`, p.token);
        expect([200, 404], `${p.name}: ${one.text}`).toContain(one.status);
        if (one.status === 200) expect(Object.keys(one.body as object).sort(), one.text).toEqual(BRIEF);
      }
    }
  });

  it('GET /api/v1/rollout: the phase and users of B1 only', async () => {
    for (const p of principalsOfB1) {
      const r = await call('GET', '/api/v1/rollout', p.token);
      expect(r.status, `${p.name}: ${r.text}`).toBe(200);
      const plan = r.body as { phases: { institutions: number }[]; institutions: { id: string }[] };
      expect(plan.institutions.map((i) => i.id)).toEqual([w.b1]);
      expect(plan.phases.reduce((n, x) => n + x.institutions, 0)).toBe(1);
    }
  });
});

describe('a developer organisation takes members identity knows, in the caller’s scope', () => {
  it('B’s app reviewer: A’s official and an unknown id are the same 404; a malformed id a 400; B’s official joins', async () => {
    const reviewer = principalsOfB.find((p) => p.name === 'API token of B (app-reviewer)');
    if (!reviewer) throw new Error('no app-reviewer token of B');
    const add = (userId: string) =>
      call('POST', `/api/v1/store/orgs/${w.orgB}/members`, reviewer.token, { userId });
    const ofA = await add(w.officialA.id);
    const unknown = await add('00000000-0000-4000-8000-0000000000ee');
    for (const r of [ofA, unknown])
      expect([r.status, (r.body as { code?: string }).code], r.text).toEqual([404, 'user_not_found']);
    expect((ofA.body as { message: string }).message).toBe((unknown.body as { message: string }).message);
    expect((await add('not-a-user-id')).status).toBe(400);
    const joined = await add(w.officialB.id);
    expect(joined.status, joined.text).toBe(201);
    expect((joined.body as { userIds: string[] }).userIds).toEqual([w.officialB.id]);
  });
});

describe('DELETE /api/v1/sessions/{id} does not say whether another user’s session exists', () => {
  it('B’s principals get the same 404 for A’s live session as for an unknown id', async () => {
    // B's users signed out in the self tests: B's official signs in again, beside B's API tokens.
    const official = { name: 'official of B', token: (await signIn(w.officialB.username)).accessToken };
    for (const p of [official, ...principalsOfB.filter((x) => !x.user)]) {
      const live = await call('DELETE', `/api/v1/sessions/${w.sessionA}`, p.token);
      const unknown = await call('DELETE', '/api/v1/sessions/00000000-0000-4000-8000-0000000000ef', p.token);
      const said = (r: Reply) => [
        r.status,
        (r.body as { code?: string; message?: string }).code,
        (r.body as { message?: string }).message,
      ];
      expect(said(live), p.name).toEqual(said(unknown));
      expect(live.status, `${p.name}: ${live.text}`).toBe(404);
    }
    expect((await call('GET', '/api/v1/auth/me', w.tokenA)).status).toBe(200);
  });
});
