import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { luhnCheckDigit } from '@pakawaaz/test-support';
import { totpCodeAtStep, totpStepAt } from '@pakawaaz/totp';
import { runCli } from './cli.js';
import { EAPOL_TEST, OATHTOOL, RADCLIENT, runTool } from './external-tools.js';
import type { TestServer } from './test-server.js';

/*
 * The pieces every RADIUS end-to-end test sets up the same way: an official with a password (and TOTP she
 * enrolled herself), a NAS client, SIMs from a vendor file, and the real clients (radclient, eapol_test,
 * oathtool) pointed at the server's ports.
 */

/** JSON over the API as `token`; anything but 2xx throws with the status and body. */
export function apiAs(server: TestServer, token: string) {
  return async <T>(method: string, p: string, body?: unknown): Promise<T> => {
    const res = await server.request(method, p, { token, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/** The CLI against `server` as `token`. */
export const cliAs =
  (server: TestServer, token: string) =>
  (args: string[], stdin?: string, as = token) =>
    runCli(args, { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: as }, stdin);

/** An institution and an official in it, added with the CLI; the official's id. */
export async function addOfficial(
  cli: ReturnType<typeof cliAs>,
  o: { institution: string; username: string; name: string; password: string },
): Promise<string> {
  const inst = await cli(['institutions', 'add', '--name', o.institution]);
  expect(inst.code, inst.stderr).toBe(0);
  const added = await cli(
    [
      'users',
      'add',
      '--username',
      o.username,
      '--password-stdin',
      '--name',
      o.name,
      '--institution',
      o.institution,
    ],
    `${o.password}\n`,
  );
  expect(added.code, added.stderr).toBe(0);
  return added.stdout.trim();
}

/**
 * The official enrols TOTP herself (administrators never see a seed): a password sign-in, then My account's
 * enrolment, confirmed with the previous step's code so that the current one is still unused. The seed.
 */
export async function enrolTotp(server: TestServer, username: string, password: string): Promise<string> {
  const signIn = await server.request('POST', '/api/v1/auth/login', { body: { username, password } });
  const { accessToken } = (await signIn.json()) as { accessToken: string };
  const begun = await server.request('POST', '/api/v1/account/totp', { token: accessToken });
  const { secret } = (await begun.json()) as { secret: string };
  const confirmed = await server.request('POST', '/api/v1/account/totp/confirm', {
    token: accessToken,
    body: { code: totpCodeAtStep(secret, totpStepAt(new Date()) - 1) },
  });
  expect(confirmed.status).toBe(200);
  return secret;
}

/** The current code from oathtool (an independent TOTP implementation). */
export async function totpNow(seed: string): Promise<string> {
  const r = await runTool(OATHTOOL, ['--totp', '-b', seed]);
  expect(r.code).toBe(0);
  return r.stdout.trim();
}

/** A NAS client for 127.0.0.1 with this shared secret, added with the CLI. */
export async function addNas(cli: ReturnType<typeof cliAs>, name: string, secret: string): Promise<void> {
  const nas = await cli([
    'radius',
    'clients',
    'add',
    '--name',
    name,
    '--ip',
    '127.0.0.1',
    '--secret',
    secret,
  ]);
  expect(nas.code, nas.stderr).toBe(0);
}

/** Imports SIMs (IMSI, K, OPc) from a vendor CSV and waits until the job completed. */
export async function importSims(
  server: TestServer,
  token: string,
  sims: readonly { imsi: string; k: string; opc: string }[],
  filename = 'e2e.csv',
): Promise<void> {
  const iccid = (n: number) => {
    const body = `8992001${String(n).padStart(11, '0')}`;
    return body + luhnCheckDigit(body);
  };
  const csv = `imsi,iccid,ki,opc\n${sims.map((s, i) => `${s.imsi},${iccid(i + 1)},${s.k},${s.opc}`).join('\n')}\n`;
  const res = await server.request('POST', `/api/v1/sims/imports?filename=${filename}`, {
    token,
    body: csv,
    headers: { 'content-type': 'text/csv' },
  });
  expect(res.status).toBe(202);
  const job = (await res.json()) as { id: string };
  const api = apiAs(server, token);
  // expect.poll is for tests only (this also runs in beforeAll): wait for the background import by hand.
  for (
    let i = 0;
    (await api<{ status: string }>('GET', `/api/v1/sims/imports/${job.id}`)).status !== 'completed';
    i++
  ) {
    if (i > 200) throw new Error('the SIM import did not complete');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** radclient -x: prints the reply and its attributes, one per line, in wire order. */
export function radclient(
  kind: 'auth' | 'acct' | 'status',
  port: number | string,
  secret: string,
  attributes: readonly string[],
) {
  return runTool(
    RADCLIENT,
    ['-x', '-t', '2', '-r', '1', `127.0.0.1:${port}`, kind, secret],
    `${attributes.join('\n')}\n`,
  );
}

export type EapolNetwork = {
  eap: 'AKA' | "AKA'";
  identity: string;
  k: string;
  opc: string;
  sqn?: string;
  /** wpa_supplicant's anonymous_identity: a pseudonym (or any identity) to present first. */
  anonymous?: string;
  /** Re-authentications after the first authentication (eapol_test -r). */
  reauths?: number;
};

/** eapol_test with its software USIM against a RADIUS port; its config goes to `dir`; debug output on stdout. */
export async function eapolTest(
  dir: string,
  name: string,
  port: number | string,
  secret: string,
  network: EapolNetwork,
) {
  const conf = path.join(dir, `${name}.conf`);
  const password = `${network.k}:${network.opc}:${network.sqn ?? '000000000000'}`;
  const anonymous = network.anonymous ? `  anonymous_identity="${network.anonymous}"\n` : '';
  await writeFile(
    conf,
    `network={\n  key_mgmt=IEEE8021X\n  eap=${network.eap}\n  identity="${network.identity}"\n${anonymous}  password="${password}"\n}\n`,
  );
  const reauths = `-r${network.reauths ?? 0}`;
  return runTool(EAPOL_TEST, [
    '-c',
    conf,
    '-a',
    '127.0.0.1',
    '-p',
    String(port),
    '-s',
    secret,
    reauths,
    '-t',
    '10',
  ]);
}

/** The sign-in log is written off the request path: the newest events matching `args`, polled for a while. */
export async function logUntil<E>(
  cli: ReturnType<typeof cliAs>,
  args: string[],
  found: (events: E[]) => boolean,
): Promise<E[]> {
  for (let i = 0; ; i++) {
    const r = await cli(['radius', 'log', '--json', ...args]);
    expect(r.code, r.stderr).toBe(0);
    const { events } = JSON.parse(r.stdout) as { events: E[] };
    if (found(events) || i >= 40) return events;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
