import net from 'node:net';
import tls from 'node:tls';

/**
 * Handsets of the MQTT idle bench, in their own process so that their memory is not the broker's: opens one
 * mutual-TLS connection per certificate, sends CONNECT (client id = device id, clean session, no keep-alive:
 * idle) and SUBSCRIBE to the device's push topic, and holds them until told to stop. Several of these share
 * a run; each connects from its own loopback address, so that no run is short of ephemeral ports.
 */
type Job = {
  port: number;
  localAddress: string;
  caPem: string;
  keyPem: string;
  devices: { deviceId: string; certPem: string }[];
  mqtt: boolean;
  concurrency: number;
};

const utf8 = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
};
const packet = (header: number, body: Buffer) => {
  const len: number[] = [];
  let n = body.length;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    len.push(byte);
  } while (n > 0);
  return Buffer.concat([Buffer.from([header, ...len]), body]);
};
// MQTT 3.1.1: CONNECT (protocol "MQTT" level 4, clean session, keep-alive 0) and SUBSCRIBE (packet id 1, QoS 1).
const connect = (id: string) =>
  packet(0x10, Buffer.concat([utf8('MQTT'), Buffer.from([4, 0x02, 0, 0]), utf8(id)]));
const subscribe = (id: string) =>
  packet(0x82, Buffer.concat([Buffer.from([0, 1]), utf8(`pakawaaz/devices/${id}/push`), Buffer.from([1])]));

const sockets: tls.TLSSocket[] = [];

function open(job: Job, d: Job['devices'][number]): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tls.connect({
      socket: net.connect({ host: '127.0.0.1', port: job.port, localAddress: job.localAddress }),
      ca: job.caPem,
      cert: d.certPem,
      key: job.keyPem,
      servername: 'localhost',
    });
    const done = (ok: boolean) => {
      s.removeAllListeners('data');
      if (ok) sockets.push(s);
      else s.destroy();
      resolve(ok);
    };
    s.once('error', () => done(false));
    s.once('secureConnect', () => {
      if (!job.mqtt) return done(true);
      s.write(Buffer.concat([connect(d.deviceId), subscribe(d.deviceId)]));
    });
    let got = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      // CONNACK (4 bytes, return code 0) then SUBACK (5 bytes, granted QoS 1).
      if (got.length >= 9) done(got[0] === 0x20 && got[3] === 0 && got[4] === 0x90 && got[8] === 1);
    });
  });
}

process.on('message', (msg: Job | 'stop') => {
  // One run per process: the first message is the job, then 'stop'.
  if (msg === 'stop') {
    for (const s of sockets) s.destroy();
    process.exit(0);
  }
  void (async () => {
    let next = 0;
    let ok = 0;
    const t = performance.now();
    const worker = async () => {
      while (next < msg.devices.length) if (await open(msg, msg.devices[next++]!)) ok++;
    };
    await Promise.all(Array.from({ length: msg.concurrency }, worker));
    process.send!({ connected: ok, failed: msg.devices.length - ok, ms: performance.now() - t });
  })();
});
