import { Agent, request } from 'node:http';
import { mtlsFetch, SimulatedHandset } from '@pakawaaz/handset-simulator';
import { serviceGate, testNatsUrl } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../src/chat/chat-http.js';
import { chatRoutes } from '../../src/chat/chat-wire.js';
import { freeTcpPort } from '../../src/server-process/server-process.js';
import {
  ADMIN_PASSWORD,
  startChatLab,
  textsIn,
  threeOfficials,
  type ChatHandset,
  type ChatLab,
} from '../support/chat-server.js';
import { waitFor } from '../support/wait-for.js';

/*
 * Several server processes on one host (PAKAWAAZ_PROCESSES=2, on PostgreSQL and NATS): both serve the same
 * ports (Node's cluster module hands each new connection to the next process); a message queued by one
 * reaches a socket held by the other; a push queued by the second process reaches a handset through the
 * first one's MQTT broker; `/metrics` sums both; a process killed is started again; and stopping the
 * server stops them all.
 */
const nats = await serviceGate('NATS', testNatsUrl());

type SystemProcess = { index: number; count: number; pid: number };

let lab: ChatLab;
let token = '';
let mqttUrl = '';
let devices: Record<string, ChatHandset> = {};
let groupId = '';

/** One kept-alive connection to the main port: every request on it reaches the same server process. */
function connection(baseUrl: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const send = <T>(method: string, path: string, body?: unknown) =>
    new Promise<{ status: number; body: T }>((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = request(new URL(path, baseUrl), {
        method,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(data ? { 'content-type': 'application/json', 'content-length': String(data.length) } : {}),
        },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T });
        });
      });
      req.on('error', reject);
      req.end(data);
    });
  return { send, close: () => agent.destroy() };
}

/** The process a new connection reached, and that connection. */
async function processOfNewConnection() {
  const c = connection(lab.server.url);
  const r = await c.send<{ process: SystemProcess }>('GET', '/api/v1/system');
  expect(r.status).toBe(200);
  return { c, process: r.body.process };
}

/** New connections until one reaches process `index` (consecutive ones alternate). */
async function connectionTo(index: number) {
  for (let i = 0; i < 8; i++) {
    const p = await processOfNewConnection();
    if (p.process.index === index) return p;
    p.c.close();
  }
  throw new Error(`no connection reached process ${index}`);
}

/** A metric's values by process (`process` label), the series whose labels include all of `labels`. */
async function metric(name: string, labels: readonly string[]): Promise<Map<string, number>> {
  const text = await (await fetch(`${lab.server.url}/metrics`, { headers: { connection: 'close' } })).text();
  const byProcess = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) || !labels.every((l) => line.includes(l))) continue;
    const process = /process="(\d+)"/.exec(line)?.[1] ?? '-';
    byProcess.set(process, (byProcess.get(process) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return byProcess;
}
const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/** Pwd successes in the sign-in chart's answer on a connection to process `index`. */
async function passwordSignIns(index: number): Promise<number> {
  const { c } = await connectionTo(index);
  const r = await c.send<{ buckets: { factor: string; succeeded: number }[] }>(
    'GET',
    '/api/v1/sign-in-stats?hours=1',
  );
  c.close();
  expect(r.status).toBe(200);
  return r.body.buckets.filter((b) => b.factor === 'pwd').reduce((a, b) => a + b.succeeded, 0);
}

beforeAll(async () => {
  if (!nats) return;
  const mqttPort = await freeTcpPort();
  mqttUrl = `mqtts://127.0.0.1:${mqttPort}`;
  lab = await startChatLab('processes', {
    PAKAWAAZ_PROCESSES: '2',
    NATS_URL: testNatsUrl(),
    PAKAWAAZ_MQTT_PORT: String(mqttPort),
    PAKAWAAZ_MQTT_HOSTNAMES: '127.0.0.1',
  });
  const login = await fetch(`${lab.server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  token = ((await login.json()) as { accessToken: string }).accessToken;
  devices = await threeOfficials(lab, [
    ['aisha', 'aisha.malik'],
    ['bilal', 'bilal.khan'],
    ['chand', 'chand.bibi'],
  ]);
}, 240_000);

afterAll(async () => lab?.stop());

describe.skipIf(!nats)('two server processes on one host', () => {
  it('both serve the same port, and /metrics answers for both, each series labelled with its process', async () => {
    const seen: SystemProcess[] = [];
    for (let i = 0; i < 4; i++) {
      const { c, process } = await processOfNewConnection();
      c.close();
      seen.push(process);
    }
    expect(new Set(seen.map((p) => p.index))).toEqual(new Set([0, 1]));
    expect(new Set(seen.map((p) => p.pid)).size).toBe(2);
    expect(seen.every((p) => p.count === 2)).toBe(true);

    const healthz = [
      'pakawaaz_http_request_duration_seconds_count',
      ['route="/healthz"', 'status="200"'],
    ] as const;
    const before = await metric(...healthz);
    for (let i = 0; i < 10; i++)
      expect((await fetch(`${lab.server.url}/healthz`, { headers: { connection: 'close' } })).status).toBe(
        200,
      );
    // Each process answered five of them: a process answering for itself alone would show half.
    const after = await metric(...healthz);
    expect([...after.keys()].sort()).toEqual(['0', '1']);
    expect(total(after) - total(before)).toBe(10);
  });

  it("answers the lead's RADIUS state and every process's sign-ins, whichever process is asked", async () => {
    for (const index of [0, 1, 0, 1]) {
      const { c } = await connectionTo(index);
      const r = await c.send<{ listening: boolean; authPort: number }>('GET', '/api/v1/radius/status');
      c.close();
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ listening: true, authPort: lab.server.radius.authPort });
    }
    const before = await passwordSignIns(0);
    // Consecutive new connections: two of the four sign-ins on each process.
    for (let i = 0; i < 4; i++) {
      const login = await fetch(`${lab.server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      });
      expect(login.status).toBe(200);
    }
    expect(await passwordSignIns(1)).toBe(before + 4);
    expect(await passwordSignIns(0)).toBe(before + 4);
  });

  it('a message queued by one process reaches a socket held by the other', async () => {
    const { aisha, bilal, chand } = devices;
    groupId = await aisha!.chat.createGroup();
    await aisha!.chat.addMembers(groupId, [lab.users['bilal.khan']!, lab.users['chand.bibi']!]);
    for (const d of [bilal!, chand!])
      await waitFor('the Welcome', () => d.events.find((e) => e.type === 'joined' && e.groupId === groupId));
    const held = ['pakawaaz_chat_wakes_total', ['direction="held"']] as const;
    const remembered = ['pakawaaz_chat_presence_devices_total', ['how="remembered"']] as const;
    const before = total(await metric(...held));
    const rememberedBefore = total(await metric(...remembered));
    // Consecutive new connections reach the two processes in turn: each process queues two of the four.
    for (let i = 0; i < 4; i++) {
      const { message } = await bilal!.chat.core.send(groupId, { type: 'text', text: `across ${i}` });
      const http = mtlsFetch(bilal!.tls, 1);
      await call(http, lab.deviceUrl, 'POST', chatRoutes.messages(groupId), {
        message,
        clientId: `across-processes-${i}`,
      });
      http.close();
    }
    const expected = ['across 0', 'across 1', 'across 2', 'across 3'];
    for (const d of [aisha!, chand!])
      await waitFor(`${d.name}'s four messages`, () =>
        textsIn(d.events, groupId).length >= 4 ? true : undefined,
      );
    expect(textsIn(aisha!.events, groupId)).toEqual(expected);
    expect(textsIn(chand!.events, groupId)).toEqual(expected);
    // Some were queued by the process that does not hold a receiver's socket: woken over NATS.
    expect(total(await metric(...held)) - before).toBeGreaterThanOrEqual(1);
    // Each receiver's two crossing messages came from one process: the second asked nothing, the answer to
    // the first remembered (docs/secure-chat.md, "An answer is remembered for 10 s").
    expect(total(await metric(...remembered)) - rememberedBefore).toBeGreaterThanOrEqual(1);
  });

  it("a push queued by the second process reaches the handset through the first one's broker", async () => {
    const handset = new SimulatedHandset({
      apiUrl: lab.server.url,
      deviceUrl: lab.deviceUrl,
      root: lab.root,
    });
    const { token: enrolment } = (
      await connection(lab.server.url).send<{ token: string }>('POST', '/api/v1/enrolment-tokens', {
        official: 'chand.bibi',
      })
    ).body;
    await handset.enrol(enrolment);
    let woken = 0;
    handset.connectPush(mqttUrl, { onWoken: () => woken++ });
    try {
      await waitFor('the push connection', () => (handset.pushConnected && woken > 0 ? true : undefined));
      for (const index of [1, 0]) {
        const { c } = await connectionTo(index);
        const was = woken;
        const r = await c.send('POST', `/api/v1/devices/${handset.deviceId}/commands`, { type: 'lock' });
        c.close();
        expect(r.status).toBe(201);
        await waitFor(`the push from process ${index}`, () => (woken > was ? true : undefined), 10_000);
      }
    } finally {
      handset.close();
    }
  });

  it('a process that dies is started again, and its devices reconnect', async () => {
    const { c, process: follower } = await connectionTo(1);
    c.close();
    process.kill(follower.pid, 'SIGKILL');
    let restarted: SystemProcess | undefined;
    const until = Date.now() + 30_000;
    while (!restarted && Date.now() < until) {
      const p = await processOfNewConnection().catch(() => null);
      p?.c.close();
      if (p?.process.index === 1 && p.process.pid !== follower.pid) restarted = p.process;
      else await new Promise((r) => setTimeout(r, 250));
    }
    expect(restarted).toBeDefined();
    // The sockets the killed process held reconnect (to either process) and get what follows.
    const { aisha, chand } = devices;
    await aisha!.chat.send(groupId, { type: 'text', text: 'after the restart' });
    await waitFor("chand's message after the restart", () =>
      textsIn(chand!.events, groupId).includes('after the restart') ? true : undefined,
    );
  });

  it('stopping the server stops every process', async () => {
    const pids: number[] = [];
    for (const index of [0, 1]) {
      const { c, process: p } = await connectionTo(index);
      c.close();
      pids.push(p.pid);
    }
    await lab.stop();
    lab = undefined as unknown as ChatLab;
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(pids.filter(alive)).toEqual([]);
  });
});
