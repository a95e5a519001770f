import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRadius, encodeRequest, mppeKeysFromMsk } from '@pakawaaz/radius';
import type {
  AccessDecision,
  AccessRequestContext,
  AccountingContext,
  RadiusClient,
  RadiusHandler,
} from './radius-handler.js';
import { startRadiusServer, type RadiusServer } from './radius-server.js';

/*
 * The UDP shell driven by a real, independent RADIUS client: FreeRADIUS's radclient (Debian package
 * freeradius-utils). The handler is trivial on purpose: this tests the protocol shell, not a policy.
 */
const BIN = process.env.PAKAWAAZ_RADCLIENT ?? '/usr/bin/radclient';
const SECRET = 'radius-shell-test-secret';
const HOST = '127.0.0.1';

const requireServices = (): boolean =>
  ['1', 'true', 'yes'].includes(process.env.PAKAWAAZ_REQUIRE_SERVICES ?? '');

/** Decided once, before the suite: run, fail loudly (CI), or skip with a notice. */
function radclientAvailable(): boolean {
  if (existsSync(BIN)) return true;
  if (requireServices()) return true; // the tests then fail with the message below
  console.warn(
    `\n[notice] radclient is not installed at ${BIN} (Debian package \`freeradius-utils\`): skipping the RADIUS interoperability tests. Set PAKAWAAZ_REQUIRE_SERVICES=1 to make this a failure.\n`,
  );
  return false;
}
const HAVE_RADCLIENT = radclientAvailable();

type Run = { readonly exitCode: number | null; readonly stdout: string; readonly stderr: string };

/** Runs radclient with the attribute list on stdin; never rejects on a non-zero exit (a timeout is one). */
function radclient(
  port: number,
  command: 'auth' | 'acct' | 'status',
  input: string,
  secret = SECRET,
): Promise<Run> {
  if (!existsSync(BIN)) {
    throw new Error(
      `radclient is required (PAKAWAAZ_REQUIRE_SERVICES=1) but missing at ${BIN}: apt-get install freeradius-utils`,
    );
  }
  return new Promise((resolve, reject) => {
    // -t 1 -r 1: one try with a one-second timeout, so that "no reply" is quick to observe.
    const child = spawn(BIN, ['-x', '-t', '1', '-r', '1', `${HOST}:${port}`, command, secret]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The attribute lines radclient printed for the packet it received, in order; null if none came. */
function received(run: Run): { code: string; attributes: string[] } | null {
  const lines = run.stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith('Received '));
  if (start < 0) return null;
  const code = /^Received (\S+)/.exec(lines[start]!)?.[1] ?? '';
  const attributes: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('\t')) break;
    attributes.push(line.trim());
  }
  return { code, attributes };
}

const MA_LINE = /^Message-Authenticator = 0x[0-9a-f]{32}$/;
const PAP = 'User-Name = "alice"\nUser-Password = "correct horse"\n';
const WITH_MA = 'Message-Authenticator = 0x00\n'; // radclient computes it when asked for one

const MSK = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 7 + 3) & 0xff));

const accessed: AccessRequestContext[] = [];
const accounted: AccountingContext[] = [];
const handler: RadiusHandler = {
  access(request): Promise<AccessDecision> {
    accessed.push(request);
    const { userName, password } = request.attributes;
    if (userName === 'boom') throw new Error('handler bug');
    if (userName !== 'alice' || password?.toString() !== 'correct horse') {
      return Promise.resolve({ decision: 'reject', attributes: [{ type: 'Reply-Message', value: 'no' }] });
    }
    const { recvKey, sendKey } = mppeKeysFromMsk(MSK);
    return Promise.resolve({
      decision: 'accept',
      attributes: [
        { type: 'Reply-Message', value: 'welcome' },
        { type: 'Session-Timeout', value: 3600 },
        { type: 'MS-MPPE-Recv-Key', key: recvKey },
        { type: 'MS-MPPE-Send-Key', key: sendKey },
      ],
    });
  },
  accounting(request): Promise<void> {
    accounted.push(request);
    return Promise.resolve();
  },
};

const loopbackClient = (address: string): RadiusClient | null =>
  address === HOST ? { id: 'c-local', name: 'loopback', secret: Buffer.from(SECRET) } : null;

let server: RadiusServer;
beforeAll(async () => {
  server = await startRadiusServer({
    authPort: 0,
    acctPort: 0,
    host: HOST,
    clients: loopbackClient,
    handler,
  });
});
afterAll(() => server.close());

/**
 * Sends datagrams from one socket and collects the replies: until `expected` have come (plus a short
 * grace for any unexpected extra), or for 300 ms when none is expected, or at most 3 s.
 */
async function exchange(port: number, datagrams: readonly Buffer[], expected: number): Promise<Buffer[]> {
  const socket = createSocket('udp4');
  const replies: Buffer[] = [];
  const enough = new Promise<void>((resolve) => {
    socket.on('message', (message) => {
      replies.push(message);
      if (replies.length >= expected) setTimeout(resolve, 50);
    });
    setTimeout(resolve, expected === 0 ? 300 : 3_000);
  });
  await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
  for (const datagram of datagrams) {
    await new Promise<void>((resolve, reject) =>
      socket.send(datagram, port, HOST, (e) => (e ? reject(e) : resolve())),
    );
  }
  await enough;
  await new Promise<void>((resolve) => socket.close(resolve));
  return replies;
}

const accessRequest = (userName: string, identifier = 1): Buffer =>
  encodeRequest({
    code: 'Access-Request',
    identifier,
    secret: Buffer.from(SECRET),
    attributes: [
      { type: 'User-Name', value: userName },
      { type: 'User-Password', value: Buffer.from('correct horse') },
    ],
  });

describe.runIf(HAVE_RADCLIENT)('RADIUS server with radclient (FreeRADIUS)', () => {
  it('accepts PAP with a Message-Authenticator, which leads the Access-Accept', async () => {
    const reply = received(await radclient(server.authPort, 'auth', PAP + WITH_MA));
    expect(reply?.code).toBe('Access-Accept');
    expect(reply?.attributes[0]).toMatch(MA_LINE);
    expect(reply?.attributes.slice(1, 3)).toEqual(['Reply-Message = "welcome"', 'Session-Timeout = 3600']);
    expect(accessed.at(-1)?.attributes.password?.toString()).toBe('correct horse');
  });

  it('hands over MPPE keys that radclient decrypts to MSK[0..31] (Recv) and MSK[32..63] (Send)', async () => {
    const reply = received(await radclient(server.authPort, 'auth', PAP + WITH_MA));
    expect(reply?.attributes).toContain(`MS-MPPE-Recv-Key = 0x${MSK.subarray(0, 32).toString('hex')}`);
    expect(reply?.attributes).toContain(`MS-MPPE-Send-Key = 0x${MSK.subarray(32).toString('hex')}`);
  });

  it('rejects a wrong password, Message-Authenticator first', async () => {
    const input = 'User-Name = "alice"\nUser-Password = "wrong"\n' + WITH_MA;
    const reply = received(await radclient(server.authPort, 'auth', input));
    expect(reply).toEqual({
      code: 'Access-Reject',
      attributes: [expect.stringMatching(MA_LINE), 'Reply-Message = "no"'],
    });
  });

  it('does not answer an Access-Request without Message-Authenticator (Blast-RADIUS)', async () => {
    const before = server.stats().dropped.missing_message_authenticator;
    const run = await radclient(server.authPort, 'auth', PAP);
    expect(received(run)).toBeNull();
    expect(run.stdout + run.stderr).toMatch(/No reply from server/);
    expect(server.stats().dropped.missing_message_authenticator).toBeGreaterThan(before);
  });

  it('does not answer a client using another secret', async () => {
    const before = server.stats().dropped.bad_message_authenticator;
    const run = await radclient(server.authPort, 'auth', PAP + WITH_MA, 'not-the-secret');
    expect(received(run)).toBeNull();
    expect(server.stats().dropped.bad_message_authenticator).toBeGreaterThan(before);
  });

  it('copies Proxy-State into the reply unmodified and in order', async () => {
    const input = PAP + WITH_MA + 'Proxy-State = 0xdeadbeef\nProxy-State = 0x0102\n';
    const reply = received(await radclient(server.authPort, 'auth', input));
    expect(reply?.attributes.slice(-2)).toEqual(['Proxy-State = 0xdeadbeef', 'Proxy-State = 0x0102']);
  });

  it('answers an Accounting-Request with an Accounting-Response once the handler resolved', async () => {
    const input = 'Acct-Status-Type = Start\nAcct-Session-Id = "sess-42"\nUser-Name = "alice"\n';
    const reply = received(await radclient(server.acctPort, 'acct', input));
    expect(reply).toEqual({ code: 'Accounting-Response', attributes: [expect.stringMatching(MA_LINE)] });
    expect(accounted.at(-1)?.attributes).toMatchObject({
      statusType: 'start',
      sessionId: 'sess-42',
      userName: 'alice',
    });
  });

  it('answers Status-Server on the authentication and the accounting port (RFC 5997)', async () => {
    const auth = received(await radclient(server.authPort, 'status', WITH_MA));
    const acct = received(await radclient(server.acctPort, 'status', WITH_MA));
    expect(auth).toEqual({ code: 'Access-Accept', attributes: [expect.stringMatching(MA_LINE)] });
    expect(acct).toEqual({ code: 'Accounting-Response', attributes: [expect.stringMatching(MA_LINE)] });
  });
});

describe('RADIUS server over raw UDP', () => {
  it('keeps answering after malformed datagrams and a failing handler, and counts the drops', async () => {
    const before = server.stats();
    const truncated = accessRequest('alice').subarray(0, 30);
    const zeroLength = Buffer.from(accessRequest('alice'));
    zeroLength[39] = 0; // the Length octet of the attribute after the Message-Authenticator
    const garbage = [Buffer.alloc(0), Buffer.from('hello'), truncated, zeroLength, Buffer.alloc(5000, 1)];
    const replies = await exchange(
      server.authPort,
      [...garbage, accessRequest('boom', 2), accessRequest('alice', 3)],
      1,
    );
    expect(replies).toHaveLength(1);
    const reply = decodeRadius(replies[0]!);
    expect(reply.kind === 'packet' && [reply.code, reply.identifier]).toEqual(['Access-Accept', 3]);
    const after = server.stats();
    expect(after.received - before.received).toBe(7);
    const delta = (reason: keyof typeof after.dropped): number =>
      after.dropped[reason] - before.dropped[reason];
    expect([delta('too_short'), delta('length_mismatch'), delta('bad_attribute'), delta('too_long')]).toEqual(
      [2, 1, 1, 1],
    );
    expect(delta('handler_error')).toBe(1);
  });

  it('resends the cached reply to a retransmission without calling the handler again', async () => {
    const calls = accessed.length;
    const request = accessRequest('alice', 77);
    const replies = await exchange(server.authPort, [request, request], 2);
    expect(replies).toHaveLength(2);
    expect(replies[1]).toEqual(replies[0]);
    expect(accessed.length - calls).toBe(1);
  });

  it('drops datagrams from addresses that are not clients', async () => {
    const closed = await startRadiusServer({
      authPort: 0,
      acctPort: 0,
      host: HOST,
      clients: () => null,
      handler,
    });
    try {
      expect(await exchange(closed.authPort, [accessRequest('alice')], 0)).toEqual([]);
      expect(closed.stats().dropped.unknown_client).toBe(1);
    } finally {
      await closed.close();
    }
  });

  it('fails to start on a port in use, and closes idempotently', async () => {
    const options = { acctPort: 0, host: HOST, clients: loopbackClient, handler };
    await expect(startRadiusServer({ ...options, authPort: server.authPort })).rejects.toThrow(/EADDRINUSE/);
    const acctInUse = { ...options, authPort: 0, acctPort: server.acctPort };
    await expect(startRadiusServer(acctInUse)).rejects.toThrow(/EADDRINUSE/);
    const other = await startRadiusServer({ ...options, authPort: 0 });
    await other.close();
    await other.close();
    expect(await exchange(other.authPort, [accessRequest('alice')], 0)).toEqual([]);
  });
});
