import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { testDatabaseUrl, withDatabase } from '@pakawaaz/test-support';
import { createDesktopKey, desktopCsr, dpopBoundToken, dpopFetch } from '../../src/chat/desktop-device.js';
import { certificateDerFromPem } from '../../src/chat/device-key.js';
import { controlPlaneApi, passwordLogin, unwrap } from '../../src/server-process/control-plane-api.js';
import { OFFICIAL_PASSWORD, startChatLab, type ChatLab } from '../support/chat-server.js';

/*
 * The device policy in force decides, on every request, whether a desktop device is let in — not only the
 * retirement a policy change runs after storing it. Here the policy is turned off in the database behind the
 * server's back (as if the change committed and its retirement had not run yet): the desktop stays enrolled
 * and active, yet the DPoP token exchange and the device routes refuse it with 403 `forbidden`.
 */

const NAME = 'chat_desktop_policy_e2e';
let lab: ChatLab;
let institution = '';

beforeAll(async () => {
  lab = await startChatLab(NAME);
  institution = await lab.institution('Ministry of Water');
  await lab.official('zara.ahmed', 'zara.ahmed', institution);
}, 240_000);

afterAll(async () => lab?.stop());

/** A new version of the institution's policy with allowDesktop off, written directly (no retirement runs). */
async function forbidDesktopsInDatabase(): Promise<void> {
  const db = new pg.Client({
    connectionString: withDatabase(testDatabaseUrl(), `pakawaaz_${NAME}_${process.pid}`),
  });
  await db.connect();
  try {
    await db.query(
      `insert into device_mgmt.device_policies (version, scope, settings, updated_by, updated_by_name)
       select (select max(version) + 1 from device_mgmt.device_policies), scope,
         settings || '{"allowDesktop": false}'::jsonb, updated_by, updated_by_name
       from device_mgmt.device_policies where scope = $1 order by version desc limit 1`,
      [institution],
    );
  } finally {
    await db.end();
  }
}

describe('desktop devices and the device policy in force', () => {
  it('a policy that forbids desktops refuses the token exchange and device routes before any retirement', async () => {
    const { server, admin } = lab;
    // The institution's own policy, desktops allowed (its other settings at their defaults).
    const put = await fetch(`${server.url}/api/v1/device-policies/${institution}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { allowDesktop: true } }),
    });
    expect(put.status).toBe(200);
    const step = await passwordLogin(controlPlaneApi(server.url), 'zara.ahmed', OFFICIAL_PASSWORD);
    if (step.status !== 'authenticated') throw new Error(step.status);
    const keys = await createDesktopKey();
    const res = await fetch(`${server.url}/api/v1/enrolment/desktop`, {
      method: 'POST',
      headers: { authorization: `Bearer ${step.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ csr: Buffer.from(await desktopCsr(keys)).toString('base64') }),
    });
    expect(res.status).toBe(201);
    const enrolled = (await res.json()) as { deviceId: string; certificate: string };
    const identity = { keys, certificateDer: certificateDerFromPem(enrolled.certificate) };
    // Happy path: the exchange binds the session's token to the key, and the device route lets it in.
    const bound = await dpopBoundToken(identity, server.url, step.accessToken);
    const whoami = () =>
      dpopFetch(identity, () => bound.accessToken)(new Request(`${server.url}/api/v1/device/whoami`));
    expect((await whoami()).status).toBe(200);

    await forbidDesktopsInDatabase();
    const { devices } = await unwrap(admin.GET('/api/v1/devices', { params: { query: {} } }));
    expect(devices.find((x) => x.id === enrolled.deviceId)?.state).toBe('active');
    await expect(dpopBoundToken(identity, server.url, step.accessToken)).rejects.toMatchObject({
      code: 'forbidden',
    });
    const refused = await whoami();
    expect([refused.status, await refused.json()]).toMatchObject([
      403,
      { code: 'forbidden', details: { reason: 'desktop_forbidden' } },
    ]);
  });
});
