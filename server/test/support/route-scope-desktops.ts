import {
  certificateDerFromPem,
  createDesktopKey,
  desktopCsr,
  dpopBoundToken,
  dpopFetch,
} from '@pakawaaz/lab';
import { DATABASE, sql, type DatabaseHandle } from '@pakawaaz/platform';
import { callAs, type DeviceRowsOfA } from './route-scope-devices.js';
import type { TestServer } from './test-server.js';

/*
 * Desktop devices for the route-scope test: officials' browsers as the web chat enrols them — a non-extractable
 * WebCrypto key (Node's WebCrypto, the browser's API), certified by the device CA as a device of kind
 * `desktop` — calling the device routes on the main port with their official's DPoP-bound access token and a
 * DPoP proof per request (RFC 9449; lab's desktop-device helpers, the web chat's own), never mutual TLS.
 */
export type Desktop = {
  deviceId: string;
  /** A fetch that authenticates as this desktop: `Authorization: DPoP <bound token>` and a fresh proof. */
  fetch: (request: Request) => Promise<Response>;
};

/**
 * Enrols a desktop for the official `signIn` signs in: a session of its own (bound to the desktop's key from
 * then on, so the official's other sessions stay bearer sessions).
 */
export async function enrolDesktop(server: TestServer, signIn: () => Promise<string>): Promise<Desktop> {
  const token = await signIn();
  const keys = await createDesktopKey();
  const csr = Buffer.from(await desktopCsr(keys)).toString('base64');
  const enrolled = await server.json<{ deviceId: string; certificate: string }>(
    'POST',
    '/api/v1/enrolment/desktop',
    { token, body: { csr } },
  );
  const identity = { keys, certificateDer: certificateDerFromPem(enrolled.certificate) };
  const bound = await dpopBoundToken(identity, server.url, token);
  return { deviceId: enrolled.deviceId, fetch: dpopFetch(identity, () => bound.accessToken) };
}

/** One request to the main port as this desktop (token + DPoP proof); any status is an answer. */
export const desktopCall = (server: TestServer, d: Desktop, method: string, p: string, body?: unknown) =>
  callAs(d, server.url, method, p, body);

/**
 * A's desktop joins A's group (leaf 1, written as the delivery service records a member): the group and its
 * call are then A's desktop's to see, as A's handset's.
 */
export async function joinGroupOfA(
  server: TestServer,
  d: DeviceRowsOfA,
  desktopA: Desktop,
  officialA: string,
  institutionA: string,
): Promise<void> {
  const db = server.app.get<DatabaseHandle>(DATABASE).db;
  await db.execute(
    sql`insert into secure_chat.group_members (group_id, leaf_index, device_id, user_id, institution_id)
        values (${d.groupA}, 1, ${desktopA.deviceId}, ${officialA}, ${institutionA})`,
  );
}

/**
 * A new version of the institution's own device policy with `allowDesktop: false`, written behind the
 * server's back (as if the change committed and the retirement it runs afterwards had not yet): its desktops
 * stay enrolled, and the device routes' guard — which asks the policy in force on every request — refuses
 * them. The institution must have a policy of its own already.
 */
export async function forbidDesktopsInDatabase(server: TestServer, institution: string): Promise<void> {
  const db = server.app.get<DatabaseHandle>(DATABASE).db;
  await db.execute(
    sql`insert into device_mgmt.device_policies (version, scope, settings, updated_by, updated_by_name)
        select (select max(version) + 1 from device_mgmt.device_policies), scope,
          settings || '{"allowDesktop": false}'::jsonb, updated_by, updated_by_name
        from device_mgmt.device_policies where scope = ${institution} order by version desc limit 1`,
  );
}
