import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  labRootPaths,
  loadOrCreateLabRoot,
  mtlsFetch,
  SimulatedHandset,
  type ClientTls,
  type LabAttestationRoot,
} from '@pakawaaz/handset-simulator';
import { testDatabaseUrl, withDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient } from '../../src/chat/chat-client.js';
import { call } from '../../src/chat/chat-http.js';
import { chatRoutes } from '../../src/chat/chat-wire.js';
import { controlPlaneApi, signedIn, unwrap } from '../../src/server-process/control-plane-api.js';
import {
  freeTcpPort,
  startServerProcess,
  type ServerProcess,
} from '../../src/server-process/server-process.js';

/*
 * kill -9 of the chat server during a message burst (issue 16): two officials' handsets send a burst of
 * real MLS application messages (encrypted before the burst, each under its own client id) to a group of
 * three over HTTP on the device port, several in flight each; the server child is SIGKILLed mid-burst and
 * restarted on the same PostgreSQL database and data folder. Each client then retries every message whose
 * reply it did not get, with the same client id, and a few that were acknowledged. Every member's queue, read
 * raw (no deduplication on the receiving side), holds each message of the others exactly once — acknowledged
 * or retried — and nothing else.
 */
const ADMIN_PASSWORD = 'copper-lantern-harbour-35';
const DB = `pakawaaz_chat_crash_${process.pid}`;
const BURST = 120; // messages per sender
const IN_FLIGHT = 8; // per sender
const KILL_AFTER = 40; // acknowledged messages (both senders) before the kill

type Member = { name: string; tls: ClientTls; chat: ChatClient };
type Outcome = { clientId: string; message: string; acked: boolean };

let server: ServerProcess;
let dataDir = '';
let deviceUrl = '';
let labDir = '';
const members: Member[] = [];

const adminDb = async (sql: string) => {
  const c = new pg.Client({ connectionString: testDatabaseUrl() });
  await c.connect();
  await c.query(sql);
  await c.end();
};

const start = () =>
  startServerProcess({
    adminPassword: ADMIN_PASSWORD,
    dataDir, // the restarted server keeps the device CA, the TLS key and the external sender
    env: {
      DATABASE_URL: withDatabase(testDatabaseUrl(), DB),
      PAKAWAAZ_DEVICE_PORT: new URL(deviceUrl).port,
      PAKAWAAZ_TRUST_LAB_ROOT: '1',
      PAKAWAAZ_LAB_ROOT_FILE: labRootPaths(labDir).cert,
      OPEN5GS_MONITOR: 'off',
      // The burst is the test, not flooding: a device's sends (socket frames and HTTP alike) are not limited here.
      PAKAWAAZ_CHAT_WS_FRAMES_PER_SECOND: '10000',
    },
  });

async function member(name: string, institution: string, root: LabAttestationRoot): Promise<Member> {
  const admin = await signedIn(controlPlaneApi(server.url), 'admin', ADMIN_PASSWORD);
  await unwrap(
    admin.POST('/api/v1/users', {
      body: {
        username: name,
        displayName: name,
        kind: 'official',
        institution,
        password: 'harbour-violin-62',
      },
    }),
  );
  const { token } = await unwrap(admin.POST('/api/v1/enrolment-tokens', { body: { official: name } }));
  const handset = new SimulatedHandset({ apiUrl: server.url, deviceUrl, root });
  await handset.enrol(token);
  const saved = handset.saved()!;
  handset.close();
  const tls = {
    certPem: saved.enrolment.certificatePem,
    keyPem: saved.keyPem,
    caPems: saved.enrolment.caPems,
  };
  const chat = await ChatClient.open({ baseUrl: deviceUrl, tls });
  await chat.uploadKeyPackages(2);
  return { name, tls, chat };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'pkz-chat-crash-'));
  labDir = path.join(dataDir, 'lab');
  const root = await loadOrCreateLabRoot(labDir);
  await adminDb(`drop database if exists "${DB}" with (force)`);
  await adminDb(`create database "${DB}"`);
  deviceUrl = `https://127.0.0.1:${await freeTcpPort()}`;
  server = await start();
  const admin = await signedIn(controlPlaneApi(server.url), 'admin', ADMIN_PASSWORD);
  const inst = await unwrap(admin.POST('/api/v1/institutions', { body: { name: 'Ministry of Ports' } }));
  for (const name of ['amna.shah', 'babar.ali', 'chanda.rao'])
    members.push(await member(name, inst.id, root));
}, 240_000);

afterAll(async () => {
  for (const m of members) await m.chat.close().catch(() => undefined);
  await server?.stop();
  await adminDb(`drop database if exists "${DB}" with (force)`).catch(() => undefined);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** One POST …/messages; true on 200, false when no reply came (connection refused or cut, 5xx). */
async function post(http: ReturnType<typeof mtlsFetch>, groupId: string, o: Outcome): Promise<boolean> {
  try {
    await call(http, deviceUrl, 'POST', chatRoutes.messages(groupId), {
      message: o.message,
      clientId: o.clientId,
    });
    return true;
  } catch (e) {
    if (e instanceof Error && /^4\d\d /.test(e.message)) throw e; // a refusal is a bug here, not a crash
    return false;
  }
}

/** Sends `outcomes` with IN_FLIGHT in flight; `onAck` after each acknowledged one. */
async function burst(m: Member, groupId: string, outcomes: Outcome[], onAck: () => void): Promise<void> {
  const http = mtlsFetch(m.tls, IN_FLIGHT);
  let next = 0;
  const worker = async () => {
    while (next < outcomes.length) {
      const o = outcomes[next++]!;
      o.acked = await post(http, groupId, o);
      if (o.acked) onAck();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  http.close();
}

/** The device port may open a moment after the main port answers /healthz. */
async function deviceEdgeUp(m: Member): Promise<void> {
  const http = mtlsFetch(m.tls, 1);
  const until = Date.now() + 60_000;
  while (
    !(await http(new Request(`${deviceUrl}/healthz`)).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > until) throw new Error(`the device port did not open:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  http.close();
}

/** Every application envelope in a device's queue, raw: body → how many times it is there. */
async function queued(m: Member): Promise<Map<string, number>> {
  const http = mtlsFetch(m.tls, 1);
  const counts = new Map<string, number>();
  for (let after = 0; ;) {
    const { envelopes } = await call<{ envelopes: { seq: number; kind: string; body: string }[] }>(
      http,
      deviceUrl,
      'GET',
      chatRoutes.inbox(after, 200),
    );
    for (const e of envelopes)
      if (e.kind === 'application') counts.set(e.body, (counts.get(e.body) ?? 0) + 1);
    if (envelopes.length < 200) break;
    after = envelopes[envelopes.length - 1]!.seq;
  }
  http.close();
  return counts;
}

describe('a chat server killed (SIGKILL) during a burst', () => {
  it('loses no acknowledged message and, after the clients retry by client id, duplicates none', async () => {
    const [amna, babar, chanda] = members as [Member, Member, Member];
    const groupId = await amna.chat.createGroup();
    await amna.chat.addMembers(groupId, [
      babar.chat.core.identity.userId!,
      chanda.chat.core.identity.userId!,
    ]);
    for (const m of [babar, chanda, amna]) await m.chat.sync(); // join (Welcome) and empty the queues
    const senders = [amna, babar];
    const sent = new Map<Member, Outcome[]>();
    for (const m of senders) {
      const outcomes: Outcome[] = [];
      for (let i = 0; i < BURST; i++) {
        const { message } = await m.chat.core.send(groupId, { type: 'text', text: `${m.name} #${i}` });
        outcomes.push({ clientId: `crash-${m.name}-${i}`, message, acked: false });
      }
      sent.set(m, outcomes);
    }

    let acked = 0;
    let killed = false;
    const kill = () => {
      if (++acked < KILL_AFTER || killed) return;
      killed = true;
      process.kill(server.pid, 'SIGKILL');
    };
    await Promise.all(senders.map((m) => burst(m, groupId, sent.get(m)!, kill)));
    expect(killed).toBe(true);
    await server.stop();
    const all = [...sent.values()].flat();
    const ackedBeforeKill = all.filter((o) => o.acked);
    const unanswered = all.filter((o) => !o.acked);
    console.log(`acknowledged before the kill: ${ackedBeforeKill.length}; no reply: ${unanswered.length}`);
    expect(ackedBeforeKill.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(unanswered.length).toBeGreaterThan(0);

    server = await start();
    await deviceEdgeUp(chanda);
    // Chanda receives every message: those in her queue that got no reply were stored just before the kill.
    const before = await queued(chanda);
    const storedUnanswered = unanswered.filter((o) => before.has(o.message)).length;
    console.log(
      `stored but unanswered at the kill (their retry must not store them again): ${storedUnanswered}`,
    );
    // Retry what got no reply, and a few acknowledged ones as a client that lost its state would: same ids.
    for (const m of senders) {
      const outcomes = sent.get(m)!;
      const again = [...outcomes.filter((o) => !o.acked), ...outcomes.filter((o) => o.acked).slice(0, 5)];
      const http = mtlsFetch(m.tls, 4);
      for (const o of again) {
        // As a client does: again after a pause until it is answered (the device port may open a moment later).
        const until = Date.now() + 60_000;
        let ok = await post(http, groupId, o);
        while (!ok && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 250));
          ok = await post(http, groupId, o);
        }
        expect(ok, `${o.clientId} accepted on retry\n${server.output()}`).toBe(true);
      }
      http.close();
    }

    for (const receiver of members) {
      const counts = await queued(receiver);
      const expected = senders.filter((s) => s !== receiver).flatMap((s) => sent.get(s)!);
      for (const o of expected)
        expect(counts.get(o.message), `${receiver.name} holds ${o.clientId} once`).toBe(1);
      expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(expected.length);
    }
  });
});
