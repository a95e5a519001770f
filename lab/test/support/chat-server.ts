import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  loadOrCreateLabRoot,
  SimulatedHandset,
  type ClientTls,
  type LabAttestationRoot,
} from '@pakawaaz/handset-simulator';
import { testDatabaseUrl, withDatabase } from '@pakawaaz/test-support';
import { ChatClient } from '../../src/chat/chat-client.js';
import type { ChatEvent } from '../../src/chat/chat-types.js';
import {
  controlPlaneApi,
  signedIn,
  unwrap,
  type ControlPlaneApi,
} from '../../src/server-process/control-plane-api.js';
import {
  freeTcpPort,
  startServerProcess,
  type ServerProcess,
} from '../../src/server-process/server-process.js';

/*
 * What the secure-chat end-to-end tests share: the built server in a child process on a PostgreSQL database of
 * its own (created here, dropped at stop), the device port for mutual TLS, the lab attestation root its
 * simulated handsets are attested by, the administrator's API, and officials and their enrolled handsets
 * with an open chat client.
 */
export const ADMIN_PASSWORD = 'lantern-quartz-meadow-27';
export const OFFICIAL_PASSWORD = 'meadow-violin-copper-58';

/** An official's simulated handset, enrolled through device management, its chat client started. */
export type ChatHandset = {
  name: string;
  user: string;
  handset: SimulatedHandset;
  tls: ClientTls;
  chat: ChatClient;
  events: ChatEvent[];
};

export type ChatLab = {
  server: ServerProcess;
  admin: ControlPlaneApi;
  /** https://127.0.0.1:<device port>: handsets' mutual TLS. */
  deviceUrl: string;
  devicePort: number;
  root: LabAttestationRoot;
  /** Officials' user ids by username, as `official` created them. */
  users: Record<string, string>;
  institution(name: string): Promise<string>;
  official(username: string, displayName: string, institutionId: string): Promise<string>;
  /** An API client with a token of the institution's chat administrator (role chat-admin). */
  chatAdmin(institutionId: string, name: string): Promise<ControlPlaneApi>;
  /** Enrols a handset for the official and opens its chat (KeyPackages published, the socket up). */
  handset(name: string, username: string, keyPackages?: number): Promise<ChatHandset>;
  stop(): Promise<void>;
};

const adminDb = () => new pg.Client({ connectionString: testDatabaseUrl() });

async function sql(statement: string): Promise<void> {
  const c = adminDb();
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

/** Starts the server on a fresh database `pakawaaz_<name>_<pid>`; `env` adds to (or overrides) the lab's. */
export async function startChatLab(name: string, env: Record<string, string> = {}): Promise<ChatLab> {
  const db = `pakawaaz_${name}_${process.pid}`;
  const dir = await mkdtemp(path.join(tmpdir(), `pkz-${name}-`));
  const root = await loadOrCreateLabRoot(path.join(dir, 'lab'));
  await sql(`drop database if exists "${db}" with (force)`);
  await sql(`create database "${db}"`);
  const devicePort = await freeTcpPort();
  const deviceUrl = `https://127.0.0.1:${devicePort}`;
  const server = await startServerProcess({
    adminPassword: ADMIN_PASSWORD,
    env: {
      DATABASE_URL: withDatabase(testDatabaseUrl(), db),
      PAKAWAAZ_DEVICE_PORT: String(devicePort),
      PAKAWAAZ_TRUST_LAB_ROOT: '1',
      PAKAWAAZ_LAB_ROOT_FILE: path.join(dir, 'lab', 'attestation-root.pem'),
      OPEN5GS_MONITOR: 'off',
      // Officials sign in with a password only here; the desktop enrolment's second-factor rule (aal2) has
      // its own e2e test (chat-desktop-hardening).
      PAKAWAAZ_DESKTOP_ENROL_ACR: 'aal1',
      ...env,
    },
  });
  const admin = await signedIn(controlPlaneApi(server.url), 'admin', ADMIN_PASSWORD);
  const users: Record<string, string> = {};
  const handsets: ChatHandset[] = [];
  return {
    server,
    admin,
    deviceUrl,
    devicePort,
    root,
    users,
    institution: async (n) => (await unwrap(admin.POST('/api/v1/institutions', { body: { name: n } }))).id,
    async official(username, displayName, institution) {
      const u = await unwrap(
        admin.POST('/api/v1/users', {
          body: { username, displayName, kind: 'official', institution, password: OFFICIAL_PASSWORD },
        }),
      );
      users[username] = u.id;
      return u.id;
    },
    async chatAdmin(institutionId, n) {
      const { token } = await unwrap(
        admin.POST('/api/v1/tokens', { body: { name: n, roles: ['chat-admin'], institutionId } }),
      );
      return controlPlaneApi(server.url, token);
    },
    async handset(n, username, keyPackages = 5) {
      const { token } = await unwrap(
        admin.POST('/api/v1/enrolment-tokens', { body: { official: username } }),
      );
      const handset = new SimulatedHandset({ apiUrl: server.url, deviceUrl, root });
      await handset.enrol(token);
      const saved = handset.saved()!;
      const tls = {
        certPem: saved.enrolment.certificatePem,
        keyPem: saved.keyPem,
        caPems: saved.enrolment.caPems,
      };
      const events: ChatEvent[] = [];
      const chat = await ChatClient.open({ baseUrl: deviceUrl, tls, onEvent: (e) => events.push(e) });
      await chat.uploadKeyPackages(keyPackages);
      await chat.start();
      const h = { name: n, user: users[username] ?? '', handset, tls, chat, events };
      handsets.push(h);
      return h;
    },
    async stop() {
      for (const h of handsets) await h.chat.close().catch(() => undefined);
      await server.stop();
      await sql(`drop database if exists "${db}" with (force)`);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The texts a device decrypted in `groupId`, in order. */
export const textsIn = (events: readonly ChatEvent[], groupId: string): string[] =>
  events.flatMap((e) => (e.type === 'message' && e.groupId === groupId && e.text ? [e.text] : []));

/** Three officials of one ministry — aisha.malik, bilal.khan, chand.bibi — and their handsets (name, username). */
export async function threeOfficials(
  lab: ChatLab,
  handsets: readonly (readonly [name: string, username: string])[],
): Promise<Record<string, ChatHandset>> {
  const inst = await lab.institution('Ministry of Interior');
  for (const [username, displayName] of [
    ['aisha.malik', 'Aisha Malik'],
    ['bilal.khan', 'Bilal Khan'],
    ['chand.bibi', 'Chand Bibi'],
  ] as const)
    await lab.official(username, displayName, inst);
  const out: Record<string, ChatHandset> = {};
  for (const [name, username] of handsets) out[name] = await lab.handset(name, username);
  return out;
}
