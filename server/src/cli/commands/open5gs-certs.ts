import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { NetworkSpec } from '@pakawaaz/core-network';
import { CliError } from '../api-client.js';
import { positiveInt, type CliContext } from '../context.js';

type CertsOptions = { spec?: string; out: string; days: number; json?: boolean };
type CheckOptions = { within: number; json?: boolean };

/** A TLS folder holds a few dozen small files; anything beyond these caps is not one. */
const MAX_TLS_FILES = 256;
const MAX_TLS_FILE_BYTES = 64 * 1024;

/**
 * Certificates of the network CA for every NF that uses TLS under the spec. Offline on the server host: the
 * CA key is the key service's (`network-ca`, in the data folder or the HSM), read with the server's own
 * configuration; private keys go to the folder only (0600), never to the terminal.
 */
export function addCerts(
  open5gs: Command,
  ctx: CliContext,
  specFrom: (file: string | undefined) => Promise<NetworkSpec>,
): void {
  open5gs
    .command('certs')
    .description(
      "OFFLINE on the server host: TLS certificates of the network CA for the Open5GS NFs the spec runs with TLS (sbi.tls, diameter.tls): <nf>.crt, <nf>.key (0600), ca.crt, and the SBI names' hosts lines",
    )
    .option('--spec <file>', 'network spec YAML (default: fetch the current spec from the server)')
    .requiredOption(
      '--out <dir>',
      "folder to write them to (created 0700); copy each file to the NF hosts' --tls-dir",
    )
    .option('--days <n>', 'validity of the NF certificates in days (1-3650, default 825)', positiveInt, 825)
    .option('--json', 'print JSON: the files written and the CA certificate')
    .action(async (o: CertsOptions) => {
      const { MAX_NF_CERT_DAYS } = await import('@pakawaaz/core-network');
      if (o.days > MAX_NF_CERT_DAYS) throw new CliError(`--days must be 1-${MAX_NF_CERT_DAYS}`, 2);
      const spec = await specFrom(o.spec);
      const { issueNetworkCertificatesOffline } = await import('../offline.js');
      const r = await issueNetworkCertificatesOffline(ctx.io.env, spec, o.out, o.days);
      ctx.print(r, !!o.json, () => {
        const keys = r.files.filter((f) => f.endsWith('.key'));
        const lines = [
          `network CA ${r.caSubject} (key ${r.caKey})`,
          ...(r.caCreated
            ? [
                'created that key now: back it up with the other keys; if the server keeps its keys elsewhere, run this with its environment (PAKAWAAZ_DATA_DIR, key backend)',
              ]
            : []),
          `wrote ${r.files.length} files in ${o.out}: ${r.files.join(', ')}`,
        ];
        if (keys.length > 0)
          lines.push(
            `the private keys (${keys.length}, mode 0600) are in ${o.out} only: copy each to its NF host, readable by the open5gs user alone`,
          );
        else lines.push('the spec enables no TLS (sbi.tls, diameter.tls): only ca.crt was written');
        if (r.files.includes('hosts'))
          lines.push(`add ${o.out}/hosts to /etc/hosts on every Open5GS host (or serve the names in DNS)`);
        return `${lines.join('\n')}\n`;
      });
    });
}

/**
 * `pakawaaz open5gs tls-check DIR`: renewal tracking of a TLS folder (`open5gs certs` wrote it, or its copy on
 * an NF host): each NF certificate issued by ca.crt, with its own key, valid for at least `--within` days.
 * Offline (files only); exit 0 when all is well, 2 when something needs doing — for cron or a monitoring
 * probe. Private keys are read only to compare their public half, never printed.
 */
export function addTlsCheck(open5gs: Command, ctx: CliContext): void {
  open5gs
    .command('tls-check <dir>')
    .description(
      'OFFLINE: check the NF certificates of a TLS folder (ca.crt, <nf>.crt, <nf>.key) — issued by ca.crt, matching keys, days until expiry; exit 2 when one is expiring, expired or wrong',
    )
    .option('--within <days>', 'warn this many days before an expiry (default 30)', positiveInt, 30)
    .option('--json', 'print JSON')
    .action(async (dir: string, o: CheckOptions) => {
      const { checkTlsFolder } = await import('@pakawaaz/core-network');
      const names = (
        await readdir(dir).catch(() => {
          throw new CliError(`cannot read the folder ${dir}`, 1);
        })
      ).filter((n) => /\.(crt|key)$/.test(n));
      if (names.length > MAX_TLS_FILES)
        throw new CliError(`${dir} holds ${names.length} certificates and keys: not a TLS folder`, 1);
      const files = [];
      for (const name of names.sort()) {
        const file = path.join(dir, name);
        const info = await stat(file);
        if (!info.isFile() || info.size > MAX_TLS_FILE_BYTES) continue;
        files.push({ name, content: await readFile(file, 'utf8') });
      }
      const report = await checkTlsFolder(files, new Date(), o.within).catch((err: unknown) => {
        throw new CliError((err as Error).message, 1);
      });
      ctx.print(report, !!o.json, () => {
        const line = (c: (typeof report.certificates)[number]) =>
          `${c.file.padEnd(12)} ${c.status.padEnd(17)} ${c.daysLeft === null ? '' : `${c.daysLeft} day(s) left`}${c.detail ? `  ${c.detail}` : ''}`.trimEnd();
        return `${[line(report.ca), ...report.certificates.map(line)].join('\n')}\n${
          report.ok ? 'all certificates are valid' : 'some certificates need attention (see above)'
        } for the next ${o.within} day(s)\n`;
      });
      if (!report.ok) throw new CliError('', 2);
    });
}
