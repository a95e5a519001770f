import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freeTcpPort } from '@pakawaaz/platform';

/**
 * A real OpenLDAP server (Debian's slapd) for a test: a throw-away slapd.conf and mdb database in a temp
 * folder, entries loaded with slapadd before it starts (fast, offline), listening on a free port on
 * 127.0.0.1. The service account `cn=sync,<suffix>` may read the people; the root DN writes.
 */
export type Slapd = {
  url: string;
  /** ldaps:// on a second port, when started with `tls`. */
  ldapsUrl: string | undefined;
  suffix: string;
  rootDn: string;
  rootPassword: string;
  syncDn: string;
  syncPassword: string;
  close(): Promise<void>;
};

export const SLAPD = '/usr/sbin/slapd';
export const slapdAvailable = () => existsSync(SLAPD) && existsSync('/usr/sbin/slapadd');

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => (c.destroy(), resolve(true)));
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('slapd did not start listening in time');
}

/** PEM files of the server's certificate and key (GnuTLS in Debian's slapd reads them). */
export type SlapdTls = { certFile: string; keyFile: string };

/**
 * Starts slapd with `ldif` (people under ou=People,<suffix>) loaded. With `tls`, it also offers StartTLS on
 * the ldap:// port and listens on a second, ldaps://, port.
 */
export async function startSlapd(ldif: string, suffix = 'dc=gov,dc=example', tls?: SlapdTls): Promise<Slapd> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-slapd-'));
  const db = path.join(dir, 'db');
  await mkdir(db);
  const rootDn = `cn=admin,${suffix}`;
  const rootPassword = 'root-secret-for-tests';
  const syncDn = `cn=sync,${suffix}`;
  const syncPassword = 'sync-secret-for-tests';
  const conf = path.join(dir, 'slapd.conf');
  await writeFile(
    conf,
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      `pidfile ${path.join(dir, 'slapd.pid')}`,
      'sizelimit unlimited',
      ...(tls ? [`TLSCertificateFile ${tls.certFile}`, `TLSCertificateKeyFile ${tls.keyFile}`] : []),
      'database mdb',
      'maxsize 1073741824',
      `suffix "${suffix}"`,
      `rootdn "${rootDn}"`,
      `rootpw ${rootPassword}`,
      `directory ${db}`,
      'index uid eq',
      'index objectClass eq',
      'access to attrs=userPassword by anonymous auth by * none',
      'access to * by users read by * none',
      '',
    ].join('\n'),
  );
  const base = [
    `dn: ${suffix}`,
    'objectClass: dcObject',
    'objectClass: organization',
    'o: Government',
    `dc: ${suffix.split(',')[0]!.split('=')[1]}`,
    '',
    `dn: ${syncDn}`,
    'objectClass: organizationalRole',
    'objectClass: simpleSecurityObject',
    'cn: sync',
    `userPassword: ${syncPassword}`,
    '',
    `dn: ou=People,${suffix}`,
    'objectClass: organizationalUnit',
    'ou: People',
    '',
    '',
  ].join('\n');
  const data = path.join(dir, 'data.ldif');
  await writeFile(data, base + ldif);
  const add = spawnSync('/usr/sbin/slapadd', ['-q', '-f', conf, '-l', data], { encoding: 'utf8' });
  if (add.status !== 0) throw new Error(`slapadd failed: ${add.stderr}`);
  const port = await freeTcpPort();
  const url = `ldap://127.0.0.1:${port}`;
  const ldapsUrl = tls ? `ldaps://127.0.0.1:${await freeTcpPort()}` : undefined;
  // -d 0: stays in the foreground (the test owns the process) and logs nothing.
  const listen = [url, ...(ldapsUrl ? [ldapsUrl] : [])].map((u) => `${u}/`).join(' ');
  const child = spawn(SLAPD, ['-f', conf, '-h', listen, '-d', '0'], { stdio: 'ignore' });
  await waitForPort(port, child);
  if (ldapsUrl) await waitForPort(Number(new URL(ldapsUrl).port), child);
  return {
    url,
    ldapsUrl,
    suffix,
    rootDn,
    rootPassword,
    syncDn,
    syncPassword,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An inetOrgPerson entry under ou=People (LDIF). */
export function personLdif(
  suffix: string,
  p: { uid: string; cn: string; title?: string; ou?: string; mail?: string; phone?: string },
): string {
  return [
    `dn: uid=${p.uid},ou=People,${suffix}`,
    'objectClass: inetOrgPerson',
    `uid: ${p.uid}`,
    `cn: ${p.cn}`,
    `sn: ${p.cn.split(' ').at(-1)}`,
    ...(p.title ? [`title: ${p.title}`] : []),
    ...(p.ou ? [`ou: ${p.ou}`] : []),
    ...(p.mail ? [`mail: ${p.mail}`] : []),
    ...(p.phone ? [`telephoneNumber: ${p.phone}`] : []),
    '',
    '',
  ].join('\n');
}
