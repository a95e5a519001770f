import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { NetworkSpec, NetworkSpecResult } from '@pakawaaz/core-network';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { addCerts, addTlsCheck } from './open5gs-certs.js';
import { addRender } from './open5gs-render.js';

type CurrentSpec = Schemas['CurrentNetworkSpec'];
type Preview = Schemas['NetworkSpecPreview'];

/** The spec parser, loaded by the commands that use it (a fast CLI start). */
const coreNetwork = () => import('@pakawaaz/core-network');

/** The network spec (`network apply|show`) and the Open5GS files it renders to (`open5gs render`). */
export const registerNetworkCommands: RegisterCommands = (program, ctx) => {
  const network = subcommand(program, 'network', 'the private LTE/5G core (Open5GS)');
  addApply(network, ctx);
  addShow(network, ctx);
  const open5gs = subcommand(program, 'open5gs', 'Open5GS configuration and data');
  addRender(open5gs, ctx, (file) => specFrom(ctx, file));
  addCerts(open5gs, ctx, (file) => specFrom(ctx, file));
  addTlsCheck(open5gs, ctx);
};

/** Another module may already have created `network` or `open5gs`: add to it, do not shadow it. */
function subcommand(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

type ApplyOptions = {
  spec?: string;
  dryRun?: boolean;
  yes?: boolean;
  allowWeakSecurity?: boolean;
  baseVersion?: number;
  json?: boolean;
};

function addApply(network: Command, ctx: CliContext): void {
  network
    .command('apply')
    .description(
      'show every problem and the diff (spec and Open5GS files) against the running spec, then apply it as the next version after a confirmation (network-admin)',
    )
    .argument('[file]', 'network spec YAML, e.g. network.yaml')
    .option('--spec <file>', 'the same as FILE')
    .option('--dry-run', 'print the problems and the diff only; apply nothing')
    .option('--yes', 'apply without asking (scripts; review with --dry-run first)')
    .option('--allow-weak-security', 'allow null ciphering or integrity (NEA0, NIA0, EEA0, EIA0) first')
    .option('--base-version <n>', 'apply only if the running spec is still this version', wholeNumber)
    .option('--json', 'print JSON (the preview with --dry-run, else the applied version)')
    .action(async (file: string | undefined, o: ApplyOptions) => {
      const path = file ?? o.spec;
      if (!path) throw new CliError('Give the spec file: pakawaaz network apply network.yaml', 2);
      const yaml = await readSpecFile(path);
      const api = ctx.api();
      const preview = await unwrap(api.POST('/api/v1/network/spec/preview', { body: { yaml } }));
      if (o.json && o.dryRun) ctx.print(preview, true, () => '');
      // With --json the applied version is the one JSON document on stdout; the diff goes to stderr.
      else printPreview(preview, path, o.json ? { ...ctx.io, stdout: ctx.io.stderr } : ctx.io);
      if (!preview.valid) throw new CliError('', 1);
      if (o.dryRun) return;
      if (!preview.changed) return;
      if (preview.weakSecurity.length > 0 && !o.allowWeakSecurity)
        throw new CliError(
          'Not applied: the spec prefers null ciphering or integrity. Fix it, or give --allow-weak-security if this network must run without it.',
          2,
        );
      const baseVersion = o.baseVersion ?? preview.baseVersion;
      if (baseVersion !== preview.baseVersion)
        throw new CliError(
          `Not applied: the running spec is version ${preview.baseVersion}, not ${baseVersion}; review the diff above and apply again.`,
          7,
        );
      if (!o.yes) await confirm(`Apply as version ${baseVersion + 1}? [y/N] `, ctx.io);
      const body = { yaml, baseVersion, allowWeakSecurity: o.allowWeakSecurity === true };
      const r = await unwrap(api.POST('/api/v1/network/spec', { body }));
      ctx.print(r, !!o.json, () => `applied network spec version ${r.version} (sha256 ${r.sha256})\n`);
    });
}

function wholeNumber(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** Problems first (stderr, `file:line:column: path: message`), then the diffs (stdout). */
function printPreview(p: Preview, file: string, io: CliContext['io']): void {
  const at = (i: Preview['errors'][number]) =>
    `${file}:${i.line ? `${i.line}:${i.column ?? 1}: ` : ' '}${i.path ? `${i.path}: ` : ''}${i.message}\n`;
  for (const e of p.errors) io.stderr(`error: ${at(e)}`);
  for (const w of p.warnings) io.stderr(`warning: ${at(w)}`);
  for (const w of p.weakSecurity) io.stderr(`weak security: ${at(w)}`);
  if (!p.valid) {
    const n = p.errors.length;
    io.stderr(`${n} ${n === 1 ? 'error' : 'errors'}: nothing applied\n`);
    return;
  }
  if (!p.changed) {
    io.stdout(`no change: ${file} is the running spec (version ${p.baseVersion})\n`);
    return;
  }
  io.stdout(p.specDiff);
  const changed = p.files.filter((f) => f.status !== 'unchanged');
  for (const f of changed) io.stdout(f.diff);
  const against = p.baseVersion > 0 ? `running version ${p.baseVersion}` : 'no spec yet';
  const names = changed.map((f) => f.name).join(', ') || 'none';
  io.stdout(`against ${against}; Open5GS files that change: ${names}\n`);
}

/** Asks on a terminal; anywhere else the caller must have said --yes. */
async function confirm(question: string, io: CliContext['io']): Promise<void> {
  if (!process.stdin.isTTY)
    throw new CliError(
      'Not applied: not on a terminal, so nobody confirmed. Review with --dry-run, then apply with --yes.',
      2,
    );
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(question).finally(() => rl.close());
  if (!/^y(es)?$/i.test(answer.trim())) {
    io.stderr('not applied\n');
    throw new CliError('', 1);
  }
}

function addShow(network: Command, ctx: CliContext): void {
  network
    .command('show')
    .description('the current network spec: version, PLMN, TACs, slices, DNNs')
    .option('--yaml', 'print the YAML as applied, to edit and apply again')
    .option('--json', 'print JSON (including the spec and its YAML as applied)')
    .action(async (o: { json?: boolean; yaml?: boolean }) => {
      const r = await unwrap(ctx.api().GET('/api/v1/network/spec'));
      if (o.yaml && !o.json) {
        ctx.io.stdout(r.sourceYaml.endsWith('\n') ? r.sourceYaml : `${r.sourceYaml}\n`);
        return;
      }
      ctx.print(r, !!o.json, () => formatSpec(r));
    });
}

/** The spec of a file (`--spec`), or the server's current one. */
async function specFrom(ctx: CliContext, file: string | undefined): Promise<NetworkSpec> {
  if (!file) return currentSpec(ctx);
  const { parseNetworkSpec } = await coreNetwork();
  return failOnErrors(parseNetworkSpec(await readSpecFile(file)), ctx.io.stderr);
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
