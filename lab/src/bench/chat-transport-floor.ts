import { fork, type ChildProcess } from 'node:child_process';
import { X509Certificate, webcrypto } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  SubjectAlternativeNameExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';
import { keyPem } from '../chat/chat-fixtures.js';
import type { BenchDevice, BenchPair } from './chat-bench-groups.js';
import { oneToOne, type DeliveryRouter } from './chat-bench-runs.js';
import { BenchSocket } from './chat-bench-socket.js';
import type { RelayRoute, RelayStart } from './chat-relay-floor.js';
import { closedLoop } from './load.js';

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ANSWER_MS = 30_000;

/** A self-signed P-256 TLS identity for 127.0.0.1, as the device port's key type. */
async function relayIdentity(): Promise<{ certPem: string; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await X509CertificateGenerator.createSelfSigned({
    name: 'CN=chat transport floor',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys,
    signingAlgorithm: { ...EC, hash: 'SHA-256' },
    extensions: [
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth]),
      new SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

function started(child: ChildProcess, start: RelayStart): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the transport floor did not start in time')), ANSWER_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the transport floor exited (${code})`));
    });
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve((m as { port: number }).port);
    });
    child.send({ cmd: 'start', ...start });
  });
}

const stopped = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.send({ cmd: 'stop' });
  });

/**
 * The transport floor of a 1:1 message, measured like the delivery service's runs (`oneToOne`): the same
 * devices connect to a relay that only passes the protocol's frames (chat-relay-floor.ts) with their own
 * certificates, and the pairs send the same ciphertexts through it. The line's "server CPU" is the relay's.
 */
export async function transportFloor(
  pairs: readonly BenchPair[],
  o: { seconds: number; maxMessages: number; inFlight: number; tag: string },
): Promise<string> {
  const devices = pairs.flatMap((p) => [p.sender, p.receiver]);
  const routes: RelayRoute[] = pairs.map((p) => ({
    groupId: p.groupId,
    receiver: new X509Certificate(p.receiver.tls.certPem).fingerprint256,
    senderDevice: p.sender.handset.deviceId ?? '',
  }));
  const identity = await relayIdentity();
  const relay = fork(fileURLToPath(new URL('./chat-relay-floor-process.js', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const sockets = new Map<BenchDevice, BenchSocket>();
  try {
    const url = `https://127.0.0.1:${await started(relay, { ...identity, routes })}`;
    const router: DeliveryRouter = new Map();
    const connected = await closedLoop({
      concurrency: 32,
      maxCount: devices.length,
      maxMs: 5 * 60_000,
      op: async (i) => {
        const d = devices[i]!;
        const socket = await BenchSocket.open(url, { ...d.tls, caPems: [identity.certPem] });
        socket.onDeliver = (envelopes, at) => {
          for (const e of envelopes) router.get(e.groupId)?.(at);
        };
        sockets.set(d, socket);
        return true;
      },
    });
    if (connected.failures) throw new Error(`${connected.failures} devices did not connect to the floor`);
    const relayed = pairs.map((p) => ({ ...p, sender: { ...p.sender, socket: sockets.get(p.sender)! } }));
    return (await oneToOne(relayed, router, { server: relay.pid! }, o)).line;
  } finally {
    for (const s of sockets.values()) s.close();
    await stopped(relay);
  }
}
