import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeDiameterConfsWithoutSctp } from './real-core.js';

// The line as Open5GS 2.7.7's freeDiameter confs carry it (src/…/freeDiameter/*.conf.in): commented out.
const CONF = (nf: string) =>
  `Identity = "${nf}.localdomain";\nRealm = "localdomain";\n# Disable use of SCTP protocol\n#No_SCTP;\nListenOn = "127.0.0.4";\n`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-fd-'));
  await mkdir(path.join(dir, 'prefix/etc/freeDiameter'), { recursive: true });
  for (const nf of ['smf', 'mme'])
    await writeFile(path.join(dir, `prefix/etc/freeDiameter/${nf}.conf`), CONF(nf));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('freeDiameterConfsWithoutSctp', () => {
  it("copies the install's confs with only No_SCTP switched on, leaving the originals alone", async () => {
    const out = await freeDiameterConfsWithoutSctp(path.join(dir, 'prefix'), path.join(dir, 'fd'));
    expect(out).toBe(path.join(dir, 'fd'));
    for (const nf of ['smf', 'mme']) {
      expect(await readFile(path.join(out, `${nf}.conf`), 'utf8')).toBe(
        CONF(nf).replace('#No_SCTP;', 'No_SCTP;'),
      );
      expect(await readFile(path.join(dir, `prefix/etc/freeDiameter/${nf}.conf`), 'utf8')).toBe(CONF(nf));
    }
  });

  it('fails loudly when a conf has no No_SCTP line to switch on', async () => {
    await writeFile(path.join(dir, 'prefix/etc/freeDiameter/mme.conf'), 'Identity = "mme";\n');
    await expect(
      freeDiameterConfsWithoutSctp(path.join(dir, 'prefix'), path.join(dir, 'fd2')),
    ).rejects.toThrow(/mme\.conf has no No_SCTP line/);
  });
});
