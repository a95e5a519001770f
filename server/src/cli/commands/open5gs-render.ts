import path from 'node:path';
import type { Command } from 'commander';
import type { NetworkSpec, RenderOptions } from '@pakawaaz/core-network';
import { CliError } from '../api-client.js';
import type { CliContext } from '../context.js';

/** The Open5GS renderer, loaded when the command runs (a fast CLI start). */
const coreNetwork = () => import('@pakawaaz/core-network');

type RenderCliOptions = {
  spec?: string;
  out: string;
  check?: boolean;
  dbUri?: string;
  configDir?: string;
  logDir?: string;
  freediameterDir?: string;
  freediameterExtensions?: string;
  tlsDir?: string;
  upfHostOut?: string;
};

/** `open5gs render`: the Open5GS and freeDiameter files of a network spec, written or checked. */
export function addRender(
  open5gs: Command,
  ctx: CliContext,
  specFrom: (file: string | undefined) => Promise<NetworkSpec>,
): void {
  open5gs
    .command('render')
    .description(
      'write the Open5GS 2.7 YAML files and the freeDiameter files of the MME, HSS, SMF and PCRF for a network spec; works offline with --spec',
    )
    .option('--spec <file>', 'network spec YAML (default: fetch the current spec from the server)')
    .requiredOption('--out <dir>', 'folder of the Open5GS configs, e.g. /etc/open5gs')
    .option('--check', 'print the diff against the folders and write nothing; exit 1 when files differ')
    .option('--db-uri <uri>', 'MongoDB URI for hss, pcrf, pcf and udr (default: mongodb://localhost/open5gs)')
    .option(
      '--config-dir <dir>',
      "where the NFs read their configs: the install's etc/open5gs (default: /etc/open5gs)",
    )
    .option(
      '--log-dir <dir>',
      "where the NFs write their logs: the install's var/log/open5gs (default: /var/log/open5gs)",
    )
    .option(
      '--freediameter-dir <dir>',
      "folder of the freeDiameter files (mme.conf, hss.conf, smf.conf, pcrf.conf): written there, and the YAML files point at it; the install's etc/freeDiameter (default: /etc/freeDiameter)",
    )
    .option(
      '--freediameter-extensions <dir>',
      "freeDiameter's extension folder on the Open5GS hosts, <libdir>/freeDiameter (default: /usr/lib/x86_64-linux-gnu/freeDiameter, the Debian/Ubuntu packages)",
    )
    .option(
      '--tls-dir <dir>',
      'where each Open5GS host keeps <nf>.crt, <nf>.key and ca.crt (`pakawaaz open5gs certs`) when the spec enables TLS (default: /etc/open5gs/tls)',
    )
    .option(
      '--upf-host-out <dir>',
      "also write each UPF host's networkd units, sysctl.d file and nftables script, in <dir>/<upf name>/",
    )
    .action(async (o: RenderCliOptions) => {
      const {
        renderOpen5gsConfigs,
        renderFreeDiameterConfigs,
        renderUpfHostFiles,
        maxUeFor,
        memoryEstimateLine,
      } = await coreNetwork();
      const spec = await specFrom(o.spec);
      const options = await renderOptions(o);
      const upfHosts = o.upfHostOut === undefined ? [] : renderUpfHostFiles(spec);
      const sets: FileSet[] = [
        { dir: o.out, files: renderOpen5gsConfigs(spec, options) },
        { dir: options.freeDiameterDir, files: renderFreeDiameterConfigs(spec, options) },
      ];
      const hostSets: FileSet[] = upfHosts.map(({ upf, files }) => ({
        dir: path.join(o.upfHostOut ?? '', upf),
        files,
      }));
      if (o.check) return check([...sets, ...hostSets], ctx.io);
      let written = 0;
      for (const { dir, files } of sets) written += await write(dir, files, ctx.io.stdout);
      let hostWritten = 0;
      for (const { dir, files } of hostSets) hostWritten += await write(dir, files, ctx.io.stdout);
      if (written > 0) ctx.io.stdout('restart the Open5GS services whose files changed\n');
      if (hostWritten > 0)
        ctx.io.stdout('copy them to the UPF host: /etc/systemd/network/, /etc/sysctl.d/, /etc/nftables.d/\n');
      if (spec.sbi.tls || spec.diameter.tls)
        ctx.io.stdout(
          `the spec uses TLS: put each NF's certificate, key and ca.crt in ${options.tlsDir} (pakawaaz open5gs certs --out DIR)\n`,
        );
      ctx.io.stdout(`${memoryEstimateLine(maxUeFor(spec.expectedUeCount))}\n`);
    });
}

/**
 * The directories go into the files as absolute paths (a relative one is taken from the current folder), so
 * the rendered files run as written: a Debian package's /etc and /var/log, or a source build's PREFIX/etc and
 * PREFIX/var/log. Nothing is created or checked on this machine: the files may be for another host.
 */
async function renderOptions(o: RenderCliOptions): Promise<RenderOptions> {
  const { DEFAULT_RENDER_OPTIONS } = await coreNetwork();
  const dir = (flag: string, value: string | undefined, fallback: string): string => {
    if (value === undefined) return fallback;
    const control = [...value].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f');
    if (value.trim() === '' || control)
      throw new CliError(`${flag} must be a folder path without control characters, e.g. ${fallback}`, 2);
    return path.resolve(value);
  };
  return {
    dbUri: o.dbUri ?? DEFAULT_RENDER_OPTIONS.dbUri,
    configDir: dir('--config-dir', o.configDir, DEFAULT_RENDER_OPTIONS.configDir),
    logDir: dir('--log-dir', o.logDir, DEFAULT_RENDER_OPTIONS.logDir),
    freeDiameterDir: dir('--freediameter-dir', o.freediameterDir, DEFAULT_RENDER_OPTIONS.freeDiameterDir),
    freeDiameterExtensionDir: dir(
      '--freediameter-extensions',
      o.freediameterExtensions,
      DEFAULT_RENDER_OPTIONS.freeDiameterExtensionDir,
    ),
    tlsDir: dir('--tls-dir', o.tlsDir, DEFAULT_RENDER_OPTIONS.tlsDir),
  };
}

type FileSet = { dir: string; files: Map<string, string> };

async function check(sets: FileSet[], io: CliContext['io']): Promise<void> {
  const { checkConfigs } = await coreNetwork();
  let total = 0;
  const differing: string[] = [];
  for (const { dir, files } of sets) {
    const checks = await checkConfigs(dir, files);
    total += checks.length;
    for (const c of checks.filter((c) => c.status !== 'unchanged')) {
      io.stdout(c.diff);
      differing.push(`${path.join(dir, c.name)} (${c.status})`);
    }
  }
  if (differing.length === 0) {
    io.stdout(`all ${total} files in ${sets.map((s) => s.dir).join(' and ')} are up to date\n`);
    return;
  }
  io.stderr(`${differing.length} of ${total} files differ: ${differing.join(', ')}\n`);
  throw new CliError('', 1);
}

/** Writes one folder's changed files; answers how many were written. */
async function write(
  dir: string,
  rendered: Map<string, string>,
  stdout: (s: string) => void,
): Promise<number> {
  const r = await (await coreNetwork()).writeConfigs(dir, rendered);
  if (r.written.length === 0) {
    stdout(`all ${r.unchanged.length} files in ${dir} were already up to date\n`);
    return 0;
  }
  stdout(`wrote ${r.written.join(', ')} (${r.written.length} of ${rendered.size} files) in ${dir}\n`);
  if (r.backupDir) stdout(`previous versions moved to ${r.backupDir}\n`);
  return r.written.length;
}
