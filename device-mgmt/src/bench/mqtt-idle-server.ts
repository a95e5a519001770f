import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { startEmbeddedBroker } from '../push/embedded-broker.js';

/**
 * The measured side of the MQTT idle bench, in a fresh process per run so that one run's freed memory does
 * not flatter the next: the embedded broker, or a bare mutual-TLS server (the baseline). Replies to `start`
 * with its port, to `measure` with its memory; exits on `stop`.
 */
type Start = { cmd: 'start'; mode: 'mqtt' | 'tls'; certPem: string; keyPem: string; caPem: string };
type Msg = Start | { cmd: 'measure' } | { cmd: 'stop' };

const OPEN = { globalPerSecond: 1e5, globalBurst: 1e6, perAddressPerSecond: 1e5, perAddressBurst: 1e6 };

async function start(m: Start): Promise<number> {
  if (m.mode === 'mqtt') {
    const broker = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      limits: OPEN,
      tls: { certPem: m.certPem, keyPem: m.keyPem, chainPem: '', clientCas: [m.caPem] },
      authenticate: (chain) =>
        Promise.resolve({
          ok: true as const,
          deviceId: /CN=([^\n,]+)/.exec(new X509Certificate(chain[0]!).subject)?.[1] ?? '',
        }),
    });
    return broker.port;
  }
  const server = tls.createServer(
    { cert: m.certPem, key: m.keyPem, ca: m.caPem, requestCert: true, rejectUnauthorized: true },
    (s) => s.on('error', () => undefined),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

const memory = () => {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
};

process.on('message', (m: Msg) => {
  if (m.cmd === 'stop') process.exit(0);
  if (m.cmd === 'measure') return void process.send!(memory());
  void start(m).then((port) => setTimeout(() => process.send!({ port, ...memory() }), 1_000));
});
