import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  labRootPaths,
  loadOrCreateLabRoot,
  mtlsFetch,
  SimulatedHandset,
  type LabAttestationRoot,
  type MtlsFetch,
} from '@pakawaaz/handset-simulator';
import { DATABASE, sql, type DatabaseHandle } from '@pakawaaz/platform';
import { freeTcpPort } from '@pakawaaz/test-support';
import type { TestServer } from './test-server.js';

/*
 * Device principals for the route-scope test: a lab-attested simulated handset of institution A and one of B,
 * enrolled through device management, calling the device routes over the device port with their certificates.
 * A's handset owns rows a leaking route would hand B's: a command queued for it, a chat attachment it started,
 * a chat group it is the member of and a live call in that group (the group and call written as the delivery
 * service records them: their MLS content is not what is checked here).
 */
export type Handset = { deviceId: string; fetch: MtlsFetch; close(): void };
export type DeviceRowsOfA = {
  handsetA: Handset;
  handsetB: Handset;
  commandA: string;
  fileA: string;
  groupA: string;
  callA: string;
};
export type DeviceReply = { status: number; text: string; body: unknown };

/** The device port and the lab attestation root the handsets are attested under (server environment). */
export async function devicePortEnv(
  dir: string,
): Promise<{ env: Record<string, string>; root: LabAttestationRoot }> {
  const root = await loadOrCreateLabRoot(path.join(dir, 'lab'));
  return {
    root,
    env: {
      PAKAWAAZ_DEVICE_PORT: String(await freeTcpPort()),
      PAKAWAAZ_TRUST_LAB_ROOT: '1',
      PAKAWAAZ_LAB_ROOT_FILE: labRootPaths(path.join(dir, 'lab')).cert,
      PAKAWAAZ_CHAT_FILES_DIR: path.join(dir, 'chat-files'),
    },
  };
}

function deviceUrl(server: TestServer): string {
  if (!server.devicePort.open) throw new Error(`the device port is closed: ${server.devicePort.reason}`);
  return server.devicePort.url;
}

/** One request over the device port with this handset's certificate; any status is an answer. */
export const deviceCall = (server: TestServer, h: Handset, method: string, p: string, body?: unknown) =>
  callAs(h, deviceUrl(server), method, p, body);

/** One request to `base` through a device's own fetch (which authenticates it), a JSON body if any. */
export async function callAs(
  device: { fetch: (request: Request) => Promise<Response> },
  base: string,
  method: string,
  p: string,
  body?: unknown,
): Promise<DeviceReply> {
  const json =
    body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  return replyOf(await device.fetch(new Request(new URL(p, base), { method, ...json })));
}

/** A reply's status and text, and its body parsed when it is JSON (else the text). */
export async function replyOf(res: Response): Promise<DeviceReply> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, text, body };
}

async function enrol(server: TestServer, admin: string, root: LabAttestationRoot, official: string) {
  const handset = new SimulatedHandset({ apiUrl: server.url, deviceUrl: deviceUrl(server), root });
  const { token } = await server.json<{ token: string }>('POST', '/api/v1/enrolment-tokens', {
    token: admin,
    body: { official },
  });
  await handset.enrol(token);
  const { enrolment, keyPem } = handset.saved()!;
  const fetch = mtlsFetch({ certPem: enrolment.certificatePem, keyPem, caPems: enrolment.caPems }, 1);
  return {
    deviceId: enrolment.deviceId,
    fetch,
    close: () => {
      fetch.close();
      handset.close();
    },
  };
}

type Seeding = {
  server: TestServer;
  admin: string;
  root: LabAttestationRoot;
  officialA: { id: string; username: string };
  officialB: { username: string };
  institutionA: string;
};

export async function seedDeviceRowsOfA(s: Seeding): Promise<DeviceRowsOfA> {
  const [handsetA, handsetB] = await Promise.all([
    enrol(s.server, s.admin, s.root, s.officialA.username),
    enrol(s.server, s.admin, s.root, s.officialB.username),
  ]);
  const commandA = (
    await s.server.json<{ id: string }>('POST', `/api/v1/devices/${handsetA.deviceId}/commands`, {
      token: s.admin,
      body: { type: 'lock' },
    })
  ).id;
  const file = await deviceCall(s.server, handsetA, 'POST', '/api/v1/chat/device/files', {
    sizeBytes: 16,
    sha256: 'b'.repeat(64),
  });
  if (file.status !== 201) throw new Error(`A's handset could not start an upload: ${file.text}`);
  const groupA = randomBytes(16).toString('base64url');
  const callA = randomUUID();
  const db = s.server.app.get<DatabaseHandle>(DATABASE).db;
  await db.execute(
    sql`insert into secure_chat.groups (group_id, epoch, group_info, created_by)
        values (${groupA}, 1, '\\x00', ${handsetA.deviceId})`,
  );
  await db.execute(
    sql`insert into secure_chat.group_members (group_id, leaf_index, device_id, user_id, institution_id)
        values (${groupA}, 0, ${handsetA.deviceId}, ${s.officialA.id}, ${s.institutionA})`,
  );
  await db.execute(
    sql`insert into secure_chat.calls (id, group_id, host_id, room_id, started_by_device, started_by_user, state,
          started_at, institutions)
        values (${callA}, ${groupA}, ${randomUUID()}, 4242, ${handsetA.deviceId}, ${s.officialA.id}, 'live', now(),
          ${`{${s.institutionA}}`})`,
  );
  return { handsetA, handsetB, commandA, fileA: (file.body as { id: string }).id, groupA, callA };
}

/** What of A's device rows B's handset must never be told. */
export const deviceMarkersOfA = (d: DeviceRowsOfA) => [
  d.handsetA.deviceId,
  d.commandA,
  d.fileA,
  d.groupA,
  d.callA,
];

/** A's device rows as they are stored: whatever B's handset does, these must not change. */
export async function deviceSnapshotOfA(server: TestServer, d: DeviceRowsOfA): Promise<string> {
  const db = server.app.get<DatabaseHandle>(DATABASE).db;
  const rows = await Promise.all([
    db.execute(sql`select id, type, state from device_mgmt.device_commands where device_id = ${d.handsetA.deviceId}
                   order by id`),
    db.execute(sql`select group_id, epoch, group_info from secure_chat.groups where group_id = ${d.groupA}`),
    db.execute(sql`select leaf_index, device_id from secure_chat.group_members where group_id = ${d.groupA}`),
    db.execute(sql`select state, ended_at from secure_chat.calls where id = ${d.callA}`),
    db.execute(
      sql`select call_id, device_id, state from secure_chat.call_participants where call_id = ${d.callA}`,
    ),
    db.execute(sql`select * from secure_chat.chat_files where id = ${d.fileA}`),
  ]);
  return JSON.stringify(rows);
}
