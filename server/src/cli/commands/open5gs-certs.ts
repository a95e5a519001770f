import type { Command } from 'commander';
import type { NetworkSpec } from '@pakawaaz/core-network';
import { CliError } from '../api-client.js';
import { positiveInt, type CliContext } from '../context.js';

type CertsOptions = { spec?: string; out: string; days: number; json?: boolean };

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
