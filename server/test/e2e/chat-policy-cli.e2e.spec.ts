import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * Chat policies and legal holds through the real `pakawaaz` binary against a real server: a national
 * operator names institutions by name; an institution's viewer reads its own policy and never another's
 * (the same 404 as none), nor sets one (403 national_only). Every change is in the audit log.
 */
let server: TestServer;
let env: Record<string, string>;
let water = '';
let power = '';

const cli = (...args: string[]) => runCli(args, env);
async function json<T>(...args: string[]): Promise<T> {
  const r = await cli(...args, '--json');
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.code, args.join(' ')).toBe(0);
  return JSON.parse(r.stdout) as T;
}
type Policy = {
  institutionId: string;
  crossInstitution: string;
  allowedInstitutions: string[];
  hold: unknown;
};

beforeAll(async () => {
  ensureBuilt();
  server = await startTestServer({ OPEN5GS_MONITOR: 'off' });
  const admin = await server.adminToken();
  env = { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: admin };
  const make = async (name: string) =>
    (await server.json<{ id: string }>('POST', '/api/v1/institutions', { token: admin, body: { name } })).id;
  water = await make('Ministry of Water (chat)');
  power = await make('Ministry of Power (chat)');
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('pakawaaz chat policy and hold', () => {
  it('sets and shows a policy by institution name, and puts an institution on hold and back', async () => {
    const set = await json<Policy>(
      'chat',
      'policy',
      'set',
      'Ministry of Water (chat)',
      '--cross',
      'allow-list',
      '--allow',
      'Ministry of Power (chat)',
      '--retention-days',
      '14',
    );
    expect(set).toMatchObject({
      institutionId: water,
      crossInstitution: 'allow-list',
      allowedInstitutions: [power],
    });
    const shown = await cli('chat', 'policy', 'show', 'Ministry of Water (chat)');
    expect(shown.stdout).toContain('retention: 14 days');
    expect((await cli('chat', 'policy', 'set', 'No Such Ministry', '--cross', 'directory')).stderr).toContain(
      'No institution "No Such Ministry"',
    );
    const held = await json<Policy>(
      'chat',
      'hold',
      'set',
      'Ministry of Water (chat)',
      '--reason',
      'Case 7/2026',
    );
    expect(held.hold).toMatchObject({ reason: 'Case 7/2026' });
    expect(
      (await json<{ entries: unknown[] }>('chat', 'hold', 'metadata', 'Ministry of Water (chat)')).entries,
    ).toEqual([]);
    expect((await json<Policy>('chat', 'hold', 'release', 'Ministry of Water (chat)')).hold).toBeNull();
    const audit = await server.json<{ entries: { action: string }[] }>(
      'GET',
      '/api/v1/audit?search=secure-chat',
      {
        token: env.PAKAWAAZ_TOKEN!,
      },
    );
    expect(audit.entries.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'secure-chat.policy.changed',
        'secure-chat.hold.set',
        'secure-chat.hold.metadata-read',
        'secure-chat.hold.released',
      ]),
    );
  });

  it("keeps an institution's viewer to its own policy", async () => {
    const admin = env.PAKAWAAZ_TOKEN!;
    await server.json('POST', '/api/v1/users', {
      token: admin,
      body: {
        kind: 'operator',
        username: 'power-viewer',
        displayName: 'Power viewer',
        password: 'amber-orchard-violin-7',
        institution: power,
        roles: ['viewer'],
      },
    });
    const token = await server.signIn('power-viewer', 'amber-orchard-violin-7', 'cobalt-harbour-lantern-9');
    const viewer = { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: token };
    expect((await server.request('GET', `/api/v1/chat/policies/${power}`, { token })).status).toBe(200);
    const other = await server.request('GET', `/api/v1/chat/policies/${water}`, { token });
    expect([other.status, ((await other.json()) as { code: string }).code]).toEqual([
      404,
      'chat_policy_not_found',
    ]);
    expect(
      JSON.stringify(
        (await server.json<{ policies: Policy[] }>('GET', '/api/v1/chat/policies', { token })).policies,
      ),
    ).not.toContain(water);
    const r = await runCli(['chat', 'policy', 'set', power, '--cross', 'directory'], viewer);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/national|403/);
  });

  it('registers, lists, rotates the secret of and disables an e-Office bot, institutions and bots named by name', async () => {
    type Bot = { id: string; name: string; institutionId: string; state: string };
    const added = await json<Bot & { webhookSecret: string; enrolmentSecret: string }>(
      'chat',
      'bots',
      'add',
      'e-Office',
      '--webhook',
      'https://eoffice.water.gov.example/pakawaaz',
      '--institution',
      'Ministry of Water (chat)',
    );
    expect(added).toMatchObject({ name: 'e-Office', institutionId: water, state: 'pending' });
    expect(added.webhookSecret).toMatch(/^whsec_/);
    const listed = await cli('chat', 'bots', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('e-Office  (Ministry of Water (chat))');
    // A second "e-Office" in another institution: a bare name is ambiguous, --institution settles it.
    await json(
      'chat',
      'bots',
      'add',
      'e-Office',
      '--webhook',
      'https://eoffice.power.gov.example/hook',
      '--institution',
      power,
    );
    // A new webhook secret for the Power bot, shown once; the old one still signs for the overlap.
    const rotated = await cli('chat', 'bots', 'rotate-secret', 'e-Office', '--institution', power);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/webhook secret: whsec_\S+/);
    expect(rotated.stdout).toMatch(/old secret still signs deliveries until \d{4}-/);
    // Again within the overlap: refused (it would drop the original secret at once), saying until when.
    const refused = await cli('chat', 'bots', 'rotate-secret', 'e-Office', '--institution', power);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toMatch(
      /webhook_secret_overlap_running: The previous webhook secret is still accepted until \d{4}-.*overlapHours 0/,
    );
    expect(refused.stderr).toContain('--overlap-hours 0');
    // A leaked secret: --overlap-hours 0 drops every old one now; then an overlap may run again.
    type Rotated = Bot & { webhookSecret: string; previousSecretUntil: string | null };
    const rotateWith = (hours: string) =>
      json<Rotated>(
        'chat',
        'bots',
        'rotate-secret',
        'e-Office',
        '--institution',
        power,
        '--overlap-hours',
        hours,
      );
    const now = await rotateWith('0');
    expect(now.webhookSecret).toMatch(/^whsec_/);
    expect(rotated.stdout).not.toContain(now.webhookSecret);
    expect(now.previousSecretUntil).toBeNull();
    const again = await rotateWith('2');
    const hours = (Date.parse(again.previousSecretUntil!) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(1.9);
    expect(hours).toBeLessThanOrEqual(2);
    const tooLong = await cli('chat', 'bots', 'rotate-secret', 'e-Office', '--overlap-hours', '169');
    expect([tooLong.code, tooLong.stderr]).toEqual([2, expect.stringContaining('0 to 168')]);
    const ambiguous = await cli('chat', 'bots', 'disable', 'e-Office');
    expect([ambiguous.code, ambiguous.stderr]).toEqual([2, expect.stringContaining('--institution')]);
    const disabled = await json<Bot>(
      'chat',
      'bots',
      'disable',
      'e-Office',
      '--institution',
      'Ministry of Water (chat)',
    );
    expect(disabled).toMatchObject({ id: added.id, state: 'disabled' });
    expect((await cli('chat', 'bots', 'disable', 'no-such-bot')).code).toBe(1);
  });
});
