import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, FileKeyBackend, KeyService } from '@pakawaaz/platform';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateNetworkSpec, type NetworkSpec } from '../../src/network-spec/network-spec.js';
import { renderOpen5gsConfigs } from '../../src/open5gs/config/render.js';
import { issueNetworkCertificates, openNetworkCa } from '../../src/open5gs/pki/network-ca.js';
import { writeTlsFiles } from '../../src/open5gs/pki/write-tls-files.js';
import { requireServices } from '@pakawaaz/test-support';

/*
 * SBI over mutual TLS with the real Open5GS 2.7 NRF and SCP: the rendered nrf.yaml and scp.yaml and the network
 * CA's certificates. The SCP registers with the NRF over https by FQDN; with a certificate of another CA it
 * cannot. The FQDNs resolve through the `hosts` file `open5gs certs` writes, bind-mounted over /etc/hosts in a
 * private mount namespace (`unshare -m`, as root) so the host's own file is untouched. Needs the daemons
 * (PAKAWAAZ_OPEN5GS_DIR, default /usr/local/lib/pakawaaz/open5gs, searched for open5gs-nrfd and -scpd);
 * skipped with a notice otherwise. The full set of real-NF tests lives elsewhere; this proves the TLS keys.
 */

const OPEN5GS_DIR = process.env.PAKAWAAZ_OPEN5GS_DIR ?? '/usr/local/lib/pakawaaz/open5gs';
const logger = createLogger({ level: 'silent' });

function find(dir: string, name: string, depth = 4): string | null {
  if (depth < 0 || !existsSync(dir)) return null;
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    const s = statSync(p, { throwIfNoEntry: false });
    if (s?.isFile() && entry === name) return p;
    if (s?.isDirectory()) {
      const hit = find(p, name, depth - 1);
      if (hit) return hit;
    }
  }
  return null;
}

function locate(): { nrf: string; scp: string } | null {
  const nrf = find(OPEN5GS_DIR, 'open5gs-nrfd');
  const scp = find(OPEN5GS_DIR, 'open5gs-scpd');
  const ns = spawnSync('unshare', ['-m', 'true']).status === 0;
  const reason =
    !nrf || !scp
      ? `no open5gs-nrfd/-scpd under ${OPEN5GS_DIR}`
      : !ns
        ? 'unshare -m not permitted (needs root)'
        : null;
  if (reason && requireServices())
    throw new Error(
      `${reason}: ${'the Open5GS SBI TLS test'} cannot run. Build Open5GS (README "Real Open5GS") or unset PAKAWAAZ_REQUIRE_SERVICES.`,
    );
  if (reason) {
    console.warn(
      `\n[notice] ${reason}: skipping the Open5GS SBI TLS test. Set PAKAWAAZ_OPEN5GS_DIR to an Open5GS 2.7 build or install.\n`,
    );
    return null;
  }
  return { nrf: nrf!, scp: scp! };
}

const bins = locate();

describe.skipIf(!bins)('SBI over TLS with the real Open5GS NRF and SCP', { timeout: 120_000 }, () => {
  let dir = '';
  let spec: NetworkSpec;
  const children: ChildProcess[] = [];
  /** Everything each daemon printed so far. */
  const logs: Record<string, string> = {};

  /** Starts a daemon in its own mount namespace with the spec's hosts file; resolves when `ready` shows or after `ms`. */
  function start(nf: 'nrf' | 'scp', ready: RegExp, ms: number): Promise<{ ok: boolean; out: string }> {
    const script = `mount --bind "$1" /etc/hosts && exec "$2" -c "$3"`;
    const child = spawn('unshare', [
      '-m',
      'sh',
      '-c',
      script,
      'sh',
      path.join(dir, 'tls', 'hosts'),
      bins![nf],
      path.join(dir, 'etc', `${nf}.yaml`),
    ]);
    children.push(child);
    let out = '';
    logs[nf] = '';
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, out }), ms);
      const onData = (d: Buffer) => {
        out += d.toString();
        logs[nf] = out;
        if (ready.test(out)) {
          clearTimeout(timer);
          resolve({ ok: true, out });
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('close', () => {
        clearTimeout(timer);
        resolve({ ok: ready.test(out), out });
      });
    });
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pkz-sbi-tls-'));
    // Ports of its own: an Open5GS running on this host keeps 7777.
    const port = 20_000 + (process.pid % 20_000);
    const r = validateNetworkSpec({
      networkName: { full: 'Test' },
      plmn: { mcc: '001', mnc: '01' },
      tacs: [1],
      slices: [{ sst: 1 }],
      dnns: [{ name: 'internet', ipv4: { subnet: '10.45.0.0/16' }, dns: ['8.8.8.8'], slices: [{ sst: 1 }] }],
      sbi: { tls: true },
      nf: { nrf: { sbi: { port } }, scp: { sbi: { port: port + 1 } } },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    spec = r.spec;
    await mkdir(path.join(dir, 'etc'));
    await mkdir(path.join(dir, 'log'));
    const files = renderOpen5gsConfigs(spec, {
      tlsDir: path.join(dir, 'tls'),
      logDir: path.join(dir, 'log'),
    });
    for (const [name, content] of files) await writeFile(path.join(dir, 'etc', name), content);
    const ca = await openNetworkCa(new KeyService(new FileKeyBackend(), logger), path.join(dir, 'ca.jwk'));
    await writeTlsFiles(
      path.join(dir, 'tls'),
      await issueNetworkCertificates(ca, spec, { now: new Date(), validityDays: 7 }),
    );
  });

  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) {
        const closed = new Promise((resolve) => c.once('close', resolve));
        c.kill('SIGTERM');
        await closed;
      }
    }
  });

  it('the NRF serves https with its certificate and the SCP registers over mutual TLS', async () => {
    const nrf = await start(
      'nrf',
      /nghttp2_server\(\) \[https:\/\/nrf\.5gc\.mnc001\.mcc001\.3gppnetwork\.org\]/,
      20_000,
    );
    expect(nrf.ok, nrf.out).toBe(true);
    const scp = await start('scp', /NF registered/, 30_000);
    expect(scp.ok, scp.out).toBe(true);
  });

  it('an SCP with a certificate of another CA is refused (the NRF verifies clients)', async () => {
    const other = await openNetworkCa(
      new KeyService(new FileKeyBackend(), logger),
      path.join(dir, 'other.jwk'),
    );
    const foreign = await issueNetworkCertificates(other, spec, { now: new Date(), validityDays: 7 });
    // The SCP keeps trusting our CA (so it still accepts the NRF) but presents the other CA's certificate.
    await writeTlsFiles(
      path.join(dir, 'tls'),
      foreign.filter((f) => f.name === 'scp.crt' || f.name === 'scp.key'),
    );
    const nrf = await start('nrf', /nghttp2_server\(\) \[https:/, 20_000);
    expect(nrf.ok, nrf.out).toBe(true);
    const scp = await start('scp', /NF registered/, 10_000);
    expect(scp.ok, scp.out).toBe(false);
    expect(logs['nrf']).toContain('client certificate verify error');
  });
});
