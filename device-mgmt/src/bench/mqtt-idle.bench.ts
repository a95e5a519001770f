import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID, webcrypto } from 'node:crypto';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  SubjectAlternativeNameExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';

/**
 * Memory of idle handsets on the embedded MQTT broker: N devices (PAKAWAAZ_BENCH_MQTT_CONNECTIONS, default
 * 2,000; the fleet is 10,000) connect with their own certificates, subscribe and stay idle. Reported: the
 * broker process's RSS per connection over its own RSS before anyone connected, and, measured in the same run,
 * the same number of bare mutual-TLS connections (the baseline) — what MQTT and aedes add on top of TLS. Each
 * server runs in a fresh process, the handsets in another.
 */
const N = Number(process.env.PAKAWAAZ_BENCH_MQTT_CONNECTIONS ?? 2_000);
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

type Memory = { rss: number; heapUsed: number };

function child<T>(file: string): { proc: ChildProcess; ask(msg: unknown): Promise<T> } {
  const proc = fork(new URL(file, import.meta.url), [], { stdio: 'inherit' });
  return {
    proc,
    ask: (msg) =>
      new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${file} did not answer in 5 minutes`)), 300_000);
        timer.unref();
        proc.once('message', (m) => (clearTimeout(timer), resolve(m as T)));
        proc.send(msg as object);
      }),
  };
}

const stop = (c: ChildProcess, msg: unknown) =>
  new Promise<void>((resolve) => (c.once('exit', () => resolve()), c.send(msg as object)));

/** One run: the server in a fresh process, the handsets in another; the server's memory before and after. */
async function measure(label: string, mode: 'mqtt' | 'tls', p: Pki): Promise<number> {
  const server = child<Memory & { port: number }>('./mqtt-idle-server.js');
  const clients = child<{ connected: number; failed: number; ms: number }>('./mqtt-idle-clients.js');
  try {
    const before = await server.ask({ cmd: 'start', mode, ...p.server, caPem: p.caPem });
    const conn = await clients.ask({
      port: before.port,
      caPem: p.caPem,
      keyPem: p.keyPem,
      devices: p.devices,
      mqtt: mode === 'mqtt',
      concurrency: 64,
    });
    await settle();
    const after = await server.ask({ cmd: 'measure' });
    const n = Math.max(conn.connected, 1);
    const perConn = (after.rss - before.rss) / n;
    out(
      `${label.padEnd(28)} ${String(conn.connected).padStart(6)} connected (${conn.failed} failed) in ${(conn.ms / 1000).toFixed(1)} s   ` +
        `RSS ${mib(before.rss)} → ${mib(after.rss)} MiB = ${(perConn / 1024).toFixed(1)} KiB per connection (JS heap ${((after.heapUsed - before.heapUsed) / n / 1024).toFixed(1)} KiB)`,
    );
    return perConn;
  } finally {
    await Promise.all([stop(clients.proc, 'stop'), stop(server.proc, { cmd: 'stop' })]);
  }
}

export async function run(): Promise<void> {
  const t = performance.now();
  const p = await pki(N);
  out(
    `${N} device certificates made in ${((performance.now() - t) / 1000).toFixed(1)} s; target fleet 10,000`,
  );
  const tlsOnly = await measure('bare mutual TLS (baseline)', 'tls', p);
  const withMqtt = await measure('embedded broker (aedes)', 'mqtt', p);
  out(
    `→ MQTT + aedes add ${((withMqtt - tlsOnly) / 1024).toFixed(1)} KiB per idle handset over bare TLS (x${(withMqtt / tlsOnly).toFixed(2)}); ` +
      `10,000 handsets ≈ ${mib(withMqtt * 10_000)} MiB`,
  );
}
