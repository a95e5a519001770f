import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { randomUUID, webcrypto } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  SubjectAlternativeNameExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';
import { startMosquitto, withFileLimit } from './mqtt-idle-mosquitto.js';

/**
 * Memory of idle handsets on a broker: N devices (PAKAWAAZ_BENCH_MQTT_CONNECTIONS, default 2,000 to keep
 * `npm run bench` short; the fleet, and issue 12's target, is 10,000) connect with their own certificates,
 * subscribe and stay idle. Reported per broker: the time to connect them all and its RSS per connection over
 * its own RSS before anyone connected — for the embedded broker (aedes), for a Mosquitto the bench starts
 * itself, and, as the baseline, for the same number of bare mutual-TLS connections to a Node TLS server, all
 * in the same run. Each server runs in a fresh process with the open-file limit raised to the hard limit; the
 * handsets in processes of up to 2,500 connections, each from its own loopback address (127.0.x.y), so that
 * no run waits for ephemeral ports another left in TIME_WAIT.
 */
const N = Number(process.env.PAKAWAAZ_BENCH_MQTT_CONNECTIONS ?? 2_000);
const PER_CLIENT_PROCESS = 2_500;
/** A child's answer may take this long: 10 minutes, plus 150 ms a connection (a busy 2-core machine manages ~10/s). */
const ANSWER_MS = 600_000 + N * 150;
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const mib = (b: number) => (b / 2 ** 20).toFixed(1);

type Pki = {
  caPem: string;
  server: { certPem: string; keyPem: string };
  keyPem: string;
  devices: { deviceId: string; certPem: string }[];
};

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const b64 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key)).toString('base64');
  return `-----BEGIN PRIVATE KEY-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

/** A CA, a server certificate for localhost, and N device certificates (CN = device id) sharing one key. */
async function pki(n: number): Promise<Pki> {
  const [caKeys, serverKeys, deviceKeys] = await Promise.all(
    [0, 1, 2].map(() => webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])),
  );
  const notBefore = new Date(Date.now() - 86_400_000);
  const notAfter = new Date(Date.now() + 86_400_000);
  const ca = await X509CertificateGenerator.createSelfSigned({
    name: 'CN=Bench Device CA',
    notBefore,
    notAfter,
    keys: caKeys!,
    signingAlgorithm: SIGN,
    extensions: [new BasicConstraintsExtension(true, 0, true)],
  });
  const leaf = (cn: string, key: webcrypto.CryptoKey, usage: string, san = false) =>
    X509CertificateGenerator.create({
      subject: `CN=${cn}`,
      issuer: ca.subject,
      notBefore,
      notAfter,
      publicKey: key,
      signingKey: caKeys!.privateKey,
      signingAlgorithm: SIGN,
      extensions: [
        new ExtendedKeyUsageExtension([usage]),
        ...(san ? [new SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }])] : []),
      ],
    });
  const server = await leaf('localhost', serverKeys!.publicKey, ExtendedKeyUsage.serverAuth, true);
  const devices: Pki['devices'] = [];
  for (let i = 0; i < n; i++) {
    const deviceId = randomUUID();
    const cert = await leaf(deviceId, deviceKeys!.publicKey, ExtendedKeyUsage.clientAuth);
    devices.push({ deviceId, certPem: cert.toString('pem') });
  }
  return {
    caPem: ca.toString('pem'),
    server: { certPem: server.toString('pem'), keyPem: await keyPem(serverKeys!.privateKey) },
    keyPem: await keyPem(deviceKeys!.privateKey),
    devices,
  };
}

const settle = () => new Promise((r) => setTimeout(r, 1_500));

type Memory = { rss: number; heapUsed?: number };
type Connected = { connected: number; failed: number; ms: number };

function child<T>(file: string): { proc: ChildProcess; ask(msg: unknown): Promise<T> } {
  const proc = withFileLimit(process.execPath, [fileURLToPath(new URL(file, import.meta.url))], true);
  return {
    proc,
    ask: (msg) =>
      new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${file} did not answer in time`)), ANSWER_MS);
        timer.unref();
        proc.once('message', (m) => (clearTimeout(timer), resolve(m as T)));
        proc.send(msg as object);
      }),
  };
}

const stop = (c: ChildProcess, msg: unknown) =>
  new Promise<void>((resolve) => {
    if (c.exitCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.send(msg as object);
  });

/** A server under test: started in its own process, asked for its memory, stopped. */
type Target = { port: number; memory(): Promise<Memory>; stop(): Promise<void> };

async function nodeServer(mode: 'mqtt' | 'tls', p: Pki): Promise<Target & { before: Memory }> {
  const server = child<Memory & { port: number }>('./mqtt-idle-server.js');
  const before = await server.ask({ cmd: 'start', mode, ...p.server, caPem: p.caPem });
  return {
    port: before.port,
    before,
    memory: () => server.ask({ cmd: 'measure' }),
    stop: () => stop(server.proc, { cmd: 'stop' }),
  };
}

async function mosquitto(p: Pki): Promise<Target & { before: Memory }> {
  const m = await startMosquitto({ caPem: p.caPem, ...p.server });
  await settle();
  const memory = async () => ({ rss: await m.rss() });
  return { port: m.port, before: await memory(), memory, stop: () => m.stop() };
}

/** The handsets, PER_CLIENT_PROCESS to a process, each process from its own loopback address. */
async function connectAll(
  run: number,
  port: number,
  p: Pki,
  mqtt: boolean,
): Promise<Connected & { stop(): Promise<void> }> {
  const procs = Math.ceil(p.devices.length / PER_CLIENT_PROCESS);
  const clients = Array.from({ length: procs }, () => child<Connected>('./mqtt-idle-clients.js'));
  const t = performance.now();
  const results = await Promise.all(
    clients.map((c, i) =>
      c.ask({
        port,
        localAddress: `127.0.${10 + run}.${i + 1}`,
        caPem: p.caPem,
        keyPem: p.keyPem,
        devices: p.devices.slice(i * PER_CLIENT_PROCESS, (i + 1) * PER_CLIENT_PROCESS),
        mqtt,
        concurrency: 32,
      }),
    ),
  );
  return {
    connected: results.reduce((a, r) => a + r.connected, 0),
    failed: results.reduce((a, r) => a + r.failed, 0),
    ms: performance.now() - t,
    stop: () => Promise.all(clients.map((c) => stop(c.proc, 'stop'))).then(() => undefined),
  };
}

/** One run: the server fresh, the handsets connect and idle, the server's memory before and after. */
async function measure(
  run: number,
  label: string,
  start: () => Promise<Target & { before: Memory }>,
  p: Pki,
  mqtt: boolean,
) {
  const server = await start();
  try {
    const conn = await connectAll(run, server.port, p, mqtt);
    try {
      await settle();
      const after = await server.memory();
      const { before } = server;
      const n = Math.max(conn.connected, 1);
      const perConn = (after.rss - before.rss) / n;
      const heap =
        after.heapUsed !== undefined && before.heapUsed !== undefined
          ? ` (JS heap ${((after.heapUsed - before.heapUsed) / n / 1024).toFixed(1)} KiB)`
          : '';
      out(
        `${label.padEnd(28)} ${String(conn.connected).padStart(6)} connected (${conn.failed} failed) in ${(conn.ms / 1000).toFixed(1)} s   ` +
          `RSS ${mib(before.rss)} → ${mib(after.rss)} MiB = ${(perConn / 1024).toFixed(1)} KiB per connection${heap}`,
      );
      return perConn;
    } finally {
      await conn.stop();
    }
  } finally {
    await server.stop();
  }
}

function hasMosquitto(): boolean {
  try {
    execFileSync('mosquitto', ['-h'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // `mosquitto -h` prints its usage and exits 3; only a missing binary is ENOENT.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

export async function run(): Promise<void> {
  const t = performance.now();
  const p = await pki(N);
  out(
    `${N} device certificates made in ${((performance.now() - t) / 1000).toFixed(1)} s; target fleet 10,000 (PAKAWAAZ_BENCH_MQTT_CONNECTIONS=10000)`,
  );
  // The brokers first: on a busy machine their figures are the ones a cut-short run must not lose.
  const aedes = await measure(1, 'embedded broker (aedes)', () => nodeServer('mqtt', p), p, true);
  const mosq = hasMosquitto()
    ? await measure(2, 'Mosquitto (own instance)', () => mosquitto(p), p, true)
    : (out('mosquitto not installed: skipped'), null);
  const tlsOnly = await measure(0, 'bare mutual TLS (baseline)', () => nodeServer('tls', p), p, false);
  const kib = (b: number) => (b / 1024).toFixed(1);
  out(
    `→ aedes: MQTT adds ${kib(aedes - tlsOnly)} KiB per idle handset over bare TLS (x${(aedes / tlsOnly).toFixed(2)}); ` +
      `10,000 handsets ≈ ${mib(aedes * 10_000)} MiB`,
  );
  if (mosq !== null)
    out(
      `→ Mosquitto: ${kib(mosq)} KiB per idle handset (x${(mosq / tlsOnly).toFixed(2)} of the Node TLS baseline, ` +
        `x${(mosq / aedes).toFixed(2)} of aedes); 10,000 handsets ≈ ${mib(mosq * 10_000)} MiB`,
    );
}
