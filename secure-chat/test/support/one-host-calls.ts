import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { platformDomain } from '@pakawaaz/platform';
import { createTestDatabase, requireServices } from '@pakawaaz/test-support';
import { findJanus } from '../../src/calls/media-hosts/embedded-janus.js';
import { JanusAdmin } from '../../src/calls/media-hosts/janus-admin.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { mediaAdmin, startJanus, wireCalls, type CallsLimits } from './calls-fixture.js';
import { JanusClient } from './janus-ws.js';

/** The Janus binary, if installed (a medium test skips without it, unless the environment requires it). */
export const janusBinary = await findJanus('janus');
if (!janusBinary && requireServices())
  throw new Error('janus is not installed (apt-get install janus) and PAKAWAAZ_REQUIRE_SERVICES is set');

/**
 * One real Janus registered (and probed up) as the only media host, over a fresh test database, with the
 * calls services wired; `connect` opens a participant's WebSocket (closed at `stop`).
 */
export async function oneHostCalls(prefix: string, limits: CallsLimits) {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const janus = await startJanus(janusBinary!, path.join(dir, 'janus'));
  const db = await createTestDatabase([platformDomain, secureChatDomain]);
  const w = await wireCalls(db, dir, limits);
  const { wsUrl, adminUrl, adminSecret } = janus;
  await w.hosts.add(
    { name: 'janus', wsUrl, adminUrl, adminSecret, capacity: 10 },
    { principal: mediaAdmin, requestId: null },
  );
  await w.health.probeAll();
  const clients: JanusClient[] = [];
  return {
    ...w,
    db,
    janus,
    admin: new JanusAdmin(adminUrl, adminSecret),
    async connect(url: string): Promise<JanusClient> {
      const c = await JanusClient.connect(url);
      clients.push(c);
      return c;
    },
    async stop(): Promise<void> {
      for (const c of clients) c.close();
      await janus.stop();
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
