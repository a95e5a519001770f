import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, FileKeyBackend, KeyService } from '@pakawaaz/platform';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateNetworkSpec } from '../../src/network-spec/network-spec.js';
import { renderFreeDiameterConfigs } from '../../src/open5gs/config/render.js';
import { issueNetworkCertificates, openNetworkCa } from '../../src/open5gs/pki/network-ca.js';
import { writeTlsFiles } from '../../src/open5gs/pki/write-tls-files.js';
import { requireServices } from '@pakawaaz/test-support';

/*
 * The rendered freeDiameter files and the network CA's certificates, loaded by the real libfdcore that
 * Open5GS links (test/support/fdcheck.c, compiled here): it parses each file, checks the local certificate
 * against TLS_CA and against its own Diameter identity (GnuTLS), and loads the extensions. Then an MME and an
 * HSS connect over TLS and exchange CER/CEA. Needs an Open5GS build or install with freeDiameter
 * (PAKAWAAZ_OPEN5GS_DIR, default /usr/local/lib/pakawaaz/open5gs: searched for libfdcore.so.* and *.fdx) and a
 * C compiler; skipped with a notice otherwise.
 */

const OPEN5GS_DIR = process.env.PAKAWAAZ_OPEN5GS_DIR ?? '/usr/local/lib/pakawaaz/open5gs';
const FDCHECK_C = fileURLToPath(new URL('../support/fdcheck.c', import.meta.url));
const logger = createLogger({ level: 'silent' });

function find(dir: string, match: (name: string) => boolean, depth = 6): string[] {
  if (depth < 0 || !existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    const s = statSync(p, { throwIfNoEntry: false });
    if (!s) return [];
    if (s.isDirectory()) return find(p, match, depth - 1);
    return match(name) ? [p] : [];
  });
}

function locate(): { lib: string; extensions: string[] } | null {
  const libs = find(OPEN5GS_DIR, (n) => /^libfdcore\.so\.\d+$/.test(n));
  const extensions = find(OPEN5GS_DIR, (n) => n.endsWith('.fdx'));
  const cc = spawnSync('cc', ['--version']).status === 0;
  const reason = !cc
    ? 'no C compiler (cc)'
    : libs.length === 0
      ? `no libfdcore.so.* under ${OPEN5GS_DIR}`
      : extensions.length === 0
        ? `no freeDiameter extensions (*.fdx) under ${OPEN5GS_DIR}`
        : null;
  if (reason && requireServices())
    throw new Error(
      `${reason}: ${'the real freeDiameter tests'} cannot run. Build Open5GS (README "Real Open5GS") or unset PAKAWAAZ_REQUIRE_SERVICES.`,
    );
  if (reason) {
    console.warn(
      `\n[notice] ${reason}: skipping the real freeDiameter tests. Build or install Open5GS 2.7 and set PAKAWAAZ_OPEN5GS_DIR.\n`,
    );
    return null;
  }
  return { lib: libs[0]!, extensions };
}

const found = locate();

describe.skipIf(!found)('rendered freeDiameter files in the real libfdcore', { timeout: 120_000 }, () => {
  let dir = '';
  let fdcheck = '';
  // A port of its own, so an Open5GS running on this host (3868/5868) is not in the way.
  const secPort = 20_000 + (process.pid % 20_000);

  const run = (args: string[]) => {
    const r = spawnSync(fdcheck, args, { encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  };

  beforeAll(async () => {
    const { lib, extensions } = found!;
    dir = await mkdtemp(path.join(tmpdir(), 'pkz-fd-'));
    fdcheck = path.join(dir, 'fdcheck');
    execFileSync('cc', [
      '-o',
      fdcheck,
      FDCHECK_C,
      lib,
      // DT_RPATH, not RUNPATH: it also finds libfdcore's own libfdproto (an install's libfdcore has no path).
      '-Wl,--disable-new-dtags',
      `-Wl,-rpath,${path.dirname(lib)}`,
      // A build tree keeps libfdproto next to libfdcore's folder.
      `-Wl,-rpath,${path.join(path.dirname(lib), '..', 'libfdproto')}`,
    ]);
    // An install has the extensions in one folder; a build tree in several: link them into one.
    await mkdir(path.join(dir, 'ext'));
    for (const e of extensions) {
      const link = path.join(dir, 'ext', path.basename(e));
      if (!existsSync(link)) await symlink(e, link);
    }
    const base = {
      networkName: { full: 'Test' },
      plmn: { mcc: '001', mnc: '01' },
      tacs: [1],
      slices: [{ sst: 1 }],
      dnns: [{ name: 'internet', ipv4: { subnet: '10.45.0.0/16' }, dns: ['8.8.8.8'], slices: [{ sst: 1 }] }],
    };
    const ports = { secPort, port: secPort + 1 };
    for (const tls of [true, false]) {
      const r = validateNetworkSpec({
        ...base,
        diameter: { tls, sctp: false, mme: ports, hss: ports, smf: ports, pcrf: ports },
      });
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      const out = path.join(dir, tls ? 'tls-conf' : 'plain-conf');
      await mkdir(out);
      const files = renderFreeDiameterConfigs(r.spec, {
        tlsDir: path.join(dir, 'tls'),
        freeDiameterExtensionDir: path.join(dir, 'ext'),
      });
      for (const [name, content] of files) await writeFile(path.join(out, name), content);
      if (tls) {
        const ca = await openNetworkCa(
          new KeyService(new FileKeyBackend(), logger),
          path.join(dir, 'ca.jwk'),
        );
        const certs = await issueNetworkCertificates(ca, r.spec, { now: new Date(), validityDays: 7 });
        await writeTlsFiles(path.join(dir, 'tls'), certs);
      }
    }
  });

  it.each(['mme', 'hss', 'smf', 'pcrf'])(
    '%s.conf loads: certificate chain and name accepted, extensions loaded (TLS and plain)',
    (nf) => {
      const tls = run([path.join(dir, 'tls-conf', `${nf}.conf`)]);
      expect(tls.out).toContain('parseconf 0');
      expect(tls.out).toContain('All extensions loaded.');
      expect(tls.code).toBe(0);
      const plain = run([path.join(dir, 'plain-conf', `${nf}.conf`)]);
      expect(plain.out).toContain('TLS is disabled');
      expect(plain.code).toBe(0);
    },
  );

  it("refuses a certificate that does not name the node's identity (the check is real)", async () => {
    const wrong = path.join(dir, 'wrong');
    await mkdir(wrong);
    await copyFile(path.join(dir, 'tls', 'pcrf.crt'), path.join(wrong, 'hss.crt'));
    await copyFile(path.join(dir, 'tls', 'pcrf.key'), path.join(wrong, 'hss.key'));
    await copyFile(path.join(dir, 'tls', 'ca.crt'), path.join(wrong, 'ca.crt'));
    const conf = path.join(dir, 'wrong.conf');
    const original = await readFile(path.join(dir, 'tls-conf', 'hss.conf'), 'utf8');
    await writeFile(conf, original.replaceAll(`${dir}/tls/`, `${wrong}/`));
    const r = run([conf]);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(
      "The certificate owner does not match the hostname 'hss.epc.mnc001.mcc001.3gppnetwork.org'",
    );
  });

  it('an MME and an HSS exchange CER/CEA over TLS on the secure port (S6a itself needs Open5GS)', async () => {
    const conf = (nf: string) => path.join(dir, 'tls-conf', `${nf}.conf`);
    const start = (nf: string, peer: string) =>
      new Promise<string>((resolve) => {
        const child = spawn(fdcheck, [conf(nf), `${peer}.epc.mnc001.mcc001.3gppnetwork.org`, '6']);
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.once('close', () => resolve(out));
      });
    const [hss, mme] = await Promise.all([start('hss', 'mme'), start('mme', 'hss')]);
    const both = `${hss}\n${mme}`;
    // CERs arrive on a TLS connection ("Sec"), from the right identity; without an S6a application registered
    // (that is Open5GS's code) the answer is DIAMETER_NO_COMMON_APPLICATION, not a TLS or identity failure.
    expect(both).toMatch(/\[TCP, Sec\].*\n.*'Capabilities-Exchange-Request'/);
    expect(both).toContain(`val="mme.epc.mnc001.mcc001.3gppnetwork.org"`);
    expect(both).toContain(`val="hss.epc.mnc001.mcc001.3gppnetwork.org"`);
    expect(both).toContain('DIAMETER_NO_COMMON_APPLICATION');
    expect(both).not.toMatch(/TLS: .*(invalid|not trusted|does not match)|handshake failed/i);
  });
});
