import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, FileKeyBackend, KeyService } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { validateNetworkSpec, type NetworkSpecInput } from '../../network-spec/network-spec.js';
import { checkTlsFolder, type TlsFolderFile } from './check-tls-files.js';
import { issueNetworkCertificates, openNetworkCa, type TlsFile } from './network-ca.js';

/*
 * Renewal tracking of a TLS folder the network CA wrote, judged at chosen instants. What "issued by the CA"
 * means is checked against OpenSSL's own verdict on the same files (`openssl verify -CAfile ca.crt`), and the
 * expiry dates against `openssl x509 -enddate`.
 */
const logger = createLogger({ level: 'silent' });
const DAY = 86_400_000;
const SPEC: NetworkSpecInput = {
  networkName: { full: 'Test' },
  plmn: { mcc: '001', mnc: '01' },
  tacs: [1],
  slices: [{ sst: 1 }],
  dnns: [{ name: 'internet', ipv4: { subnet: '10.45.0.0/16' }, dns: ['8.8.8.8'], slices: [{ sst: 1 }] }],
  diameter: { tls: true, hss: { address: '10.0.0.8' }, mme: { address: '10.0.0.2' } },
};
const spec = (() => {
  const r = validateNetworkSpec(SPEC);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.spec;
})();

async function folder(validityDays: number, now: Date): Promise<{ dir: string; files: TlsFile[] }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pkz-tlscheck-'));
  const ca = await openNetworkCa(new KeyService(new FileKeyBackend(), logger), path.join(dir, 'ca.jwk'));
  return { dir, files: await issueNetworkCertificates(ca, spec, { now, validityDays }) };
}
const asFolder = (files: readonly TlsFile[]): TlsFolderFile[] =>
  files.map(({ name, content }) => ({ name, content }));

function opensslVerifies(dir: string, files: TlsFolderFile[], name: string): boolean {
  for (const f of files)
    execFileSync('sh', ['-c', 'cat > "$1"', 'sh', path.join(dir, f.name)], { input: f.content });
  try {
    execFileSync('openssl', ['verify', '-CAfile', path.join(dir, 'ca.crt'), path.join(dir, name)], {
      stdio: 'pipe',
    });
    return true;
  } catch {
    return false;
  }
}

describe('checkTlsFolder', () => {
  it('a fresh folder is ok; the same folder near and past its end is expiring, then expired', async () => {
    const issued = new Date('2026-12-01T00:00:00Z');
    const { files } = await folder(90, issued);
    const fresh = await checkTlsFolder(asFolder(files), new Date(issued.getTime() + DAY), 30);
    expect(fresh.ok).toBe(true);
    expect(fresh.certificates.map((c) => c.file)).toEqual(['hss.crt', 'mme.crt', 'pcrf.crt', 'smf.crt']);
    expect(fresh.certificates[0]).toMatchObject({ status: 'ok', daysLeft: 89 });
    expect(fresh.certificates[0]!.names).toContain('hss.epc.mnc001.mcc001.3gppnetwork.org');
    const soon = await checkTlsFolder(asFolder(files), new Date(issued.getTime() + 70 * DAY), 30);
    expect(soon.ok).toBe(false);
    expect(soon.certificates.every((c) => c.status === 'expiring' && c.daysLeft === 20)).toBe(true);
    expect(soon.ca.status).toBe('ok');
    const late = await checkTlsFolder(asFolder(files), new Date(issued.getTime() + 91 * DAY), 30);
    expect(late.certificates.map((c) => c.status)).toEqual(['expired', 'expired', 'expired', 'expired']);
    const early = await checkTlsFolder(asFolder(files), new Date(issued.getTime() - DAY), 30);
    expect(early.ok).toBe(false);
    expect(early.certificates.map((c) => c.status)).toEqual(Array(4).fill('not_yet_valid'));
  });

  it('names a certificate another CA issued, as OpenSSL refuses it, and a key that is not its own', async () => {
    const now = new Date();
    const mine = await folder(825, now);
    const theirs = await folder(825, now);
    const mixed = asFolder(mine.files).map((f) =>
      f.name === 'hss.crt' ? { ...f, content: theirs.files.find((t) => t.name === 'hss.crt')!.content } : f,
    );
    // The MME's key swapped for the PCRF's (both ours): a certificate the NF cannot use.
    const mme = mixed.findIndex((f) => f.name === 'mme.key');
    mixed[mme] = { name: 'mme.key', content: mixed.find((f) => f.name === 'pcrf.key')!.content };
    const r = await checkTlsFolder(mixed, now, 30);
    const status = Object.fromEntries(r.certificates.map((c) => [c.file, c.status]));
    expect(status).toEqual({
      'hss.crt': 'not_issued_by_ca',
      'mme.crt': 'key_mismatch',
      'pcrf.crt': 'ok',
      'smf.crt': 'ok',
    });
    expect(r.ok).toBe(false);
    expect(opensslVerifies(mine.dir, mixed, 'hss.crt')).toBe(false);
    expect(opensslVerifies(mine.dir, mixed, 'pcrf.crt')).toBe(true);
  });

  it('says what it cannot read, and refuses a folder without ca.crt', async () => {
    const { files } = await folder(825, new Date());
    const broken = [...asFolder(files), { name: 'amf.crt', content: 'not a certificate' }];
    const r = await checkTlsFolder(broken, new Date(), 30);
    expect(r.certificates.find((c) => c.file === 'amf.crt')).toMatchObject({ status: 'unreadable' });
    await expect(
      checkTlsFolder(
        broken.filter((f) => f.name !== 'ca.crt'),
        new Date(),
        30,
      ),
    ).rejects.toThrow(/no ca\.crt/);
  });

  it('reports the expiry OpenSSL reads from the same certificate', async () => {
    const { dir, files } = await folder(400, new Date('2026-12-05T10:00:00Z'));
    const hss = files.find((f) => f.name === 'hss.crt')!;
    await writeFile(path.join(dir, 'hss.crt'), hss.content);
    const end = execFileSync('openssl', ['x509', '-noout', '-enddate', '-in', path.join(dir, 'hss.crt')], {
      encoding: 'utf8',
    });
    const r = await checkTlsFolder(asFolder(files), new Date('2026-12-06T00:00:00Z'), 30);
    const report = r.certificates.find((c) => c.file === 'hss.crt')!;
    expect(new Date(end.trim().replace(/^notAfter=/, '')).toISOString()).toBe(report.notAfter);
  });
});
