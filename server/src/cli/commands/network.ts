import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type { NetworkSpec, NetworkSpecResult } from '@pakawaaz/core-network';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import type { CliContext, RegisterCommands } from '../context.js';

type CurrentSpec = Schemas['CurrentNetworkSpec'];

/** The spec parser and the Open5GS renderer, loaded by the commands that use them (a fast CLI start). */
const coreNetwork = () => import('@pakawaaz/core-network');

/** The network spec (`network apply|show`) and the Open5GS files it renders to (`open5gs render`). */
export const registerNetworkCommands: RegisterCommands = (program, ctx) => {
  const network = subcommand(program, 'network', 'the private LTE/5G core (Open5GS)');
  addApply(network, ctx);
  addShow(network, ctx);
  addRender(subcommand(program, 'open5gs', 'Open5GS configuration and data'), ctx);
};

/** Another module may already have created `network` or `open5gs`: add to it, do not shadow it. */
function subcommand(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

function addApply(network: Command, ctx: CliContext): void {
  network
    .command('apply')
    .description('validate a network spec (YAML) and apply it as the next version (network-admin)')
    .requiredOption('--spec <file>', 'network spec YAML, e.g. network.yaml')
    .option('--json', 'print JSON')
    .action(async (o: { spec: string; json?: boolean }) => {
      const yaml = await readSpecFile(o.spec);
      const { parseNetworkSpec, formatIssue } = await coreNetwork();
      // Checked here first so every error prints on its own line; the server checks again (same rules).
      await failOnErrors(parseNetworkSpec(yaml), ctx.io.stderr);
      const r = await unwrap(ctx.api().POST('/api/v1/network/spec', { body: { yaml } }));
      ctx.print(r, !!o.json, () => `applied network spec version ${r.version} (sha256 ${r.sha256})\n`);
      if (!o.json) for (const w of r.warnings) ctx.io.stderr(`warning: ${formatIssue(w)}\n`);
    });
}

function addShow(network: Command, ctx: CliContext): void {
  network
    .command('show')
    .description('the current network spec: version, PLMN, TACs, slices, DNNs')
    .option('--json', 'print JSON (including the spec and its YAML as applied)')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(ctx.api().GET('/api/v1/network/spec'));
      ctx.print(r, !!o.json, () => formatSpec(r));
    });
}

function addRender(open5gs: Command, ctx: CliContext): void {
  open5gs
    .command('render')
    .description('write the Open5GS 2.7 YAML files for a network spec; works offline with --spec')
    .option('--spec <file>', 'network spec YAML (default: fetch the current spec from the server)')
    .requiredOption('--out <dir>', 'folder of the Open5GS configs, e.g. /etc/open5gs')
    .option('--check', 'print the diff against the folder and write nothing; exit 1 when files differ')
    .option('--db-uri <uri>', 'MongoDB URI for hss, pcrf, pcf and udr (default: mongodb://localhost/open5gs)')
    .action(async (o: { spec?: string; out: string; check?: boolean; dbUri?: string }) => {
      const { parseNetworkSpec, renderOpen5gsConfigs, DEFAULT_RENDER_OPTIONS } = await coreNetwork();
      const spec = o.spec
        ? await failOnErrors(parseNetworkSpec(await readSpecFile(o.spec)), ctx.io.stderr)
        : await currentSpec(ctx);
      const rendered = renderOpen5gsConfigs(spec, { dbUri: o.dbUri ?? DEFAULT_RENDER_OPTIONS.dbUri });
      if (o.check) await check(o.out, rendered, ctx.io);
      else await write(o.out, rendered, ctx.io.stdout);
    });
}

async function readSpecFile(file: string): Promise<string> {
  const { MAX_NETWORK_SPEC_BYTES } = await coreNetwork();
  const size = await stat(file).then(
    (s) => s.size,
    (err: NodeJS.ErrnoException) => {
      throw new CliError(`Cannot read ${file}: ${err.code ?? err.message}`, 2);
    },
  );
  if (size > MAX_NETWORK_SPEC_BYTES)
    throw new CliError(
      `${file} is ${size} bytes; a network spec is at most ${MAX_NETWORK_SPEC_BYTES} bytes.`,
      2,
    );
  return readFile(file, 'utf8');
}

/** Prints each error as `path: message` and exits 1; returns the spec when there are none. */
async function failOnErrors(result: NetworkSpecResult, stderr: (s: string) => void): Promise<NetworkSpec> {
  if (result.ok) return result.spec;
  const { formatIssue } = await coreNetwork();
  for (const e of result.errors) stderr(`${formatIssue(e)}\n`);
  throw new CliError('', 1);
}

async function currentSpec(ctx: CliContext): Promise<NetworkSpec> {
  const client = ctx.api();
  const r = await unwrap(client.GET('/api/v1/network/spec'));
  ctx.io.stderr(`rendering network spec version ${r.version} from ${client.baseUrl}\n`);
  return failOnErrors((await coreNetwork()).validateNetworkSpec(r.spec), ctx.io.stderr);
}

async function check(dir: string, rendered: Map<string, string>, io: CliContext['io']): Promise<void> {
  const checks = await (await coreNetwork()).checkConfigs(dir, rendered);
  const differing = checks.filter((c) => c.status !== 'unchanged');
  for (const c of differing) io.stdout(c.diff);
  if (differing.length === 0) {
    io.stdout(`all ${checks.length} Open5GS files in ${dir} are up to date\n`);
    return;
  }
  const list = differing.map((c) => `${c.name} (${c.status})`).join(', ');
  io.stderr(`${differing.length} of ${checks.length} files differ: ${list}\n`);
  throw new CliError('', 1);
}

async function write(dir: string, rendered: Map<string, string>, stdout: (s: string) => void): Promise<void> {
  const r = await (await coreNetwork()).writeConfigs(dir, rendered);
  if (r.written.length === 0) {
    stdout(`all ${r.unchanged.length} Open5GS files in ${dir} were already up to date\n`);
    return;
  }
  stdout(`wrote ${r.written.join(', ')} (${r.written.length} of ${rendered.size} files) in ${dir}\n`);
  if (r.backupDir) stdout(`previous versions moved to ${r.backupDir}\n`);
  stdout('restart the Open5GS services whose files changed\n');
}

function formatSpec(r: CurrentSpec): string {
  const { spec } = r;
  const slice = (s: { sst: number; sd?: string | undefined }) =>
    s.sd ? `SST ${s.sst} SD ${s.sd}` : `SST ${s.sst}`;
  const name = spec.networkName.short
    ? `${spec.networkName.full} (${spec.networkName.short})`
    : spec.networkName.full;
  const lines = [
    `network spec v${r.version}, sha256 ${r.sha256}`,
    `applied ${r.appliedAt} by ${r.appliedBy}`,
    `network   ${name}`,
    `PLMN      ${spec.plmn.mcc}/${spec.plmn.mnc}`,
    `TACs      ${spec.tacs.join(', ')}`,
    ...spec.slices.map((s) => `slice     ${slice(s)}${s.name ? ` (${s.name})` : ''}`),
    ...spec.dnns.map(
      (d) =>
        `DNN       ${d.name}  ${d.ipv4.subnet}${d.ipv6 ? ` ${d.ipv6.subnet}` : ''}  in ${d.slices.map(slice).join(', ')}`,
    ),
    `UEs       ${spec.expectedUeCount} expected`,
  ];
  return `${lines.join('\n')}\n`;
}
