import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Option } from '../commander.js';
import { baseUrlOf, CliError, unwrap, type Schemas } from '../api-client.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { registerPublish } from './os-publish.js';
import { registerOsSign } from './os-sign.js';
import { registerTuf } from './os-tuf.js';
import { registerRolloutCommands } from './os-rollouts.js';
import { uploadFile } from './os-upload.js';

type Release = Schemas['OsRelease'];
const CHANNELS = ['stable', 'beta', 'pilot'] as const;
const KEY_STATUSES = ['active', 'retired', 'compromised'] as const;

const releaseLine = (r: Release) =>
  `${r.id}  ${r.model.padEnd(12)} ${r.buildId.padEnd(18)} ${r.channel.padEnd(6)} patch ${r.securityPatchLevel}  Android ${r.version}  payloads ${r.payloads.length}`;

function registerModels(os: Command, ctx: CliContext) {
  const models = os.command('models').description('handset models our OS is built for');
  models
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(ctx.api().GET('/api/v1/os/models'));
      ctx.print(r, !!o.json, () =>
        r.models
          .map(
            (m) =>
              `${m.codename.padEnd(12)} ${m.manufacturer} ${m.name ?? ''}${m.strongBox ? '  StrongBox' : ''}\n`,
          )
          .join(''),
      );
    });
  models
    .command('add <codename>')
    .description('register a model by its Android codename (ro.product.device)')
    .requiredOption('--manufacturer <name>', 'e.g. Google')
    .option('--name <name>', 'marketing name, e.g. "Pixel 8"')
    .option('--no-strongbox', 'the model has no StrongBox secure element')
    .option('--json', 'print JSON')
    .action(
      async (
        codename: string,
        o: { manufacturer: string; name?: string; strongbox: boolean; json?: boolean },
      ) => {
        const body = {
          codename,
          manufacturer: o.manufacturer,
          strongBox: o.strongbox,
          ...(o.name ? { name: o.name } : {}),
        };
        const m = await unwrap(ctx.api().POST('/api/v1/os/models', { body }));
        ctx.print(m, !!o.json, () => `registered ${m.codename}\n`);
      },
    );
}

function registerKeys(os: Command, ctx: CliContext) {
  const keys = os.command('boot-keys').description('verified-boot keys (SHA-256 of the AVB key) per model');
  keys
    .command('list')
    .option('--model <codename>', 'one model only')
    .option('--json', 'print JSON')
    .action(async (o: { model?: string; json?: boolean }) => {
      const query = o.model ? { model: o.model } : {};
      const r = await unwrap(ctx.api().GET('/api/v1/os/boot-keys', { params: { query } }));
      ctx.print(r, !!o.json, () =>
        r.keys
          .map((k) => `${k.model.padEnd(12)} ${k.digest}  ${k.status.padEnd(11)} ${k.label ?? ''}\n`)
          .join(''),
      );
    });
  keys
    .command('add <model> <sha256>')
    .description('register a key for a model (as attested in rootOfTrust.verifiedBootKey)')
    .option('--retired', 'register it as retired (old builds still in the field)')
    .option('--label <text>', 'a note, e.g. where the key is kept')
    .option('--json', 'print JSON')
    .action(
      async (model: string, digest: string, o: { retired?: boolean; label?: string; json?: boolean }) => {
        const body = {
          model,
          digest,
          status: o.retired ? ('retired' as const) : ('active' as const),
          ...(o.label ? { label: o.label } : {}),
        };
        const k = await unwrap(ctx.api().POST('/api/v1/os/boot-keys', { body }));
        ctx.print(k, !!o.json, () => `registered ${k.digest} for ${k.model} (${k.status})\n`);
      },
    );
  keys
    .command('set-status <model> <sha256>')
    .description('active, retired or compromised (final: every handset booted with it becomes non-compliant)')
    .addOption(new Option('--status <status>').choices(KEY_STATUSES).makeOptionMandatory())
    .option('--json', 'print JSON')
    .action(
      async (model: string, digest: string, o: { status: (typeof KEY_STATUSES)[number]; json?: boolean }) => {
        const k = await unwrap(
          ctx.api().PUT('/api/v1/os/boot-keys/{model}/{digest}/status', {
            params: { path: { model, digest } },
            body: { status: o.status },
          }),
        );
        ctx.print(k, !!o.json, () => `${k.digest} for ${k.model} is ${k.status}\n`);
      },
    );
}

type ReleaseOptions = {
  model: string;
  buildId: string;
  fingerprint: string;
  androidVersion: string;
  patch: string;
  vendorPatch?: string;
  bootPatch?: string;
  channel: (typeof CHANNELS)[number];
  notesFile?: string;
  json?: boolean;
};

function registerReleases(os: Command, ctx: CliContext) {
  const releases = os.command('releases').description('OS builds per model, and their OTA payloads');
  releases
    .command('list')
    .option('--model <codename>', 'one model only')
    .addOption(new Option('--channel <channel>').choices(CHANNELS))
    .option('--json', 'print JSON')
    .action(async (o: { model?: string; channel?: (typeof CHANNELS)[number]; json?: boolean }) => {
      const query = { ...(o.model ? { model: o.model } : {}), ...(o.channel ? { channel: o.channel } : {}) };
      const r = await unwrap(ctx.api().GET('/api/v1/os/releases', { params: { query } }));
      ctx.print(r, !!o.json, () => r.releases.map((x) => `${releaseLine(x)}\n`).join(''));
    });
  releases
    .command('add')
    .description('register a build')
    .requiredOption('--model <codename>')
    .requiredOption('--build-id <id>', 'ro.build.id, e.g. AP2A.240805.005')
    .requiredOption('--fingerprint <fingerprint>', 'Build.FINGERPRINT')
    .requiredOption('--android-version <version>', 'e.g. 15')
    .requiredOption('--patch <YYYY-MM-DD>', 'security patch level')
    .option('--vendor-patch <YYYY-MM-DD>')
    .option('--boot-patch <YYYY-MM-DD>')
    .addOption(new Option('--channel <channel>').choices(CHANNELS).default('stable'))
    .option('--notes-file <file>', 'release notes (text)')
    .option('--json', 'print JSON')
    .action(async (o: ReleaseOptions) => {
      const notes = o.notesFile ? await readFile(o.notesFile, 'utf8') : '';
      const body = {
        model: o.model,
        buildId: o.buildId,
        fingerprint: o.fingerprint,
        version: o.androidVersion,
        securityPatchLevel: o.patch,
        channel: o.channel,
        notes,
        ...(o.vendorPatch ? { vendorPatchLevel: o.vendorPatch } : {}),
        ...(o.bootPatch ? { bootPatchLevel: o.bootPatch } : {}),
      };
      const r = await unwrap(ctx.api().POST('/api/v1/os/releases', { body }));
      ctx.print(r, !!o.json, () => `${releaseLine(r)}\n`);
    });
  releases
    .command('upload <release-id> <file>')
    .description('upload an OTA payload (streamed, with progress; stored by SHA-256)')
    .option(
      '--incremental-from <build-id>',
      'an incremental payload that applies on this build (default: full)',
    )
    .option('--sha256 <hex>', 'refuse the upload unless the bytes have this digest')
    .option('--json', 'print JSON')
    .action(
      async (id: string, file: string, o: { incrementalFrom?: string; sha256?: string; json?: boolean }) => {
        const token = ctx.io.env.PAKAWAAZ_TOKEN;
        if (!token) throw new CliError('Set PAKAWAAZ_TOKEN to an access token or API token.', 2);
        const query = new URLSearchParams(
          o.incrementalFrom ? { kind: 'incremental', from: o.incrementalFrom } : { kind: 'full' },
        );
        if (o.sha256) query.set('sha256', o.sha256);
        const url = `${baseUrlOf(ctx.io.env)}/api/v1/os/releases/${encodeURIComponent(id)}/payloads?${query.toString()}`;
        let shown = -1;
        const r = await uploadFile({
          url,
          token,
          file,
          onProgress: (sent, total) => {
            const pct = total === 0 ? 100 : Math.floor((sent * 100) / total);
            if (pct !== shown) ctx.io.stderr(`\ruploading ${file}: ${(shown = pct)}%`);
          },
        });
        ctx.io.stderr('\n');
        const body = r.text
          ? (JSON.parse(r.text) as { code?: string; message?: string; sha256?: string })
          : {};
        if (r.status !== 201)
          throw new CliError(`${r.status} ${body.code ?? ''}: ${body.message ?? r.text}`, 1);
        ctx.print(body, !!o.json, () => `stored ${body.sha256 ?? ''}\n`);
      },
    );
}

function registerFloors(os: Command, ctx: CliContext) {
  const floors = os.command('patch-floor').description('oldest security patch month handsets may run');
  floors
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(ctx.api().GET('/api/v1/os/patch-floors'));
      ctx.print(r, !!o.json, () =>
        r.floors
          .map((f) => `${(f.institutionId ?? 'national').padEnd(36)} ${f.minimumPatchLevel}\n`)
          .join(''),
      );
    });
  floors
    .command('set <YYYY-MM|none>')
    .option('--institution <id>', "an institution's floor (default: the national one)")
    .option('--json', 'print JSON')
    .action(async (month: string, o: { institution?: string; json?: boolean }) => {
      const body = {
        institutionId: o.institution ?? null,
        minimumPatchLevel: month === 'none' ? null : month,
      };
      const r = await unwrap(ctx.api().PUT('/api/v1/os/patch-floors', { body }));
      ctx.print(r, !!o.json, () => `${r.floors.length} floor(s) set\n`);
    });
}

/** The hardened OS registry: models, verified-boot keys, releases and OTA payloads, patch floors. */
export const registerOsCommands: RegisterCommands = (program, ctx) => {
  const os = program
    .command('os')
    .description('hardened OS: models, verified-boot keys, releases, OTA payloads, rollouts');
  registerModels(os, ctx);
  registerKeys(os, ctx);
  registerReleases(os, ctx);
  registerFloors(os, ctx);
  registerTuf(os, ctx);
  registerOsSign(os, ctx);
  registerRolloutCommands(os, ctx);
  registerPublish(os, ctx);
};
