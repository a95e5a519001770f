import type { Command } from 'commander';
import { Option } from '../commander.js';
import { baseUrlOf, CliError, unwrap } from '../api-client.js';
import type { CliContext } from '../context.js';
import { uploadFile } from './os-upload.js';

const BANNER =
  '*** DEMO-ONLY SIGNING: the root and targets keys are files in the data folder, not offline keys. ***\n' +
  '*** Never let real handsets trust this root; use the signing ceremony (pakawaaz os tuf …).        ***\n';

const ed25519 = (hex: string) =>
  ({ keytype: 'ed25519', scheme: 'ed25519', keyval: { public: hex } }) as const;

type PublishFlags = {
  model: string;
  version: string;
  patchLevel: string;
  file: string;
  buildId?: string;
  fingerprint?: string;
  channel: 'stable' | 'beta' | 'pilot';
  expiresDays: number;
};

/**
 * `pakawaaz os publish`: the embedded demo's one step — register the release, upload the payload, sign root
 * (once) and targets with the DEMO-ONLY keys in the data folder, and publish. The server still signs
 * snapshot and timestamp with its own online keys, as in production.
 */
export function registerPublish(os: Command, ctx: CliContext) {
  os.command('publish')
    .description(
      'DEMO-ONLY: register a release, upload its OTA, sign with demo keys in the data folder, publish',
    )
    .requiredOption('--model <codename>', 'a registered model')
    .requiredOption(
      '--version <version>',
      'OS version, e.g. 15.2 (the target path /ota/targets/<model>/<version>/)',
    )
    .requiredOption('--patch-level <YYYY-MM-DD>', 'security patch level')
    .requiredOption('--file <ota.zip>', 'the full OTA payload')
    .option('--build-id <id>', 'build id (default: DEMO.<patch yymmdd>.<version>)')
    .option(
      '--fingerprint <fp>',
      'build fingerprint (default: pakawaaz/<model>/<model>:<version>/<build>/demo:user/release-keys)',
    )
    .addOption(new Option('--channel <channel>').choices(['stable', 'beta', 'pilot']).default('stable'))
    .option('--expires-days <n>', 'targets lifetime', (v) => Number(v), 90)
    .action(async (o: PublishFlags) => {
      ctx.io.stderr(BANNER);
      const tuf = await import('@pakawaaz/hardened-os/tuf');
      const dataDir = ctx.io.env.PAKAWAAZ_DATA_DIR || '.pakawaaz';
      const buildId = o.buildId ?? `DEMO.${o.patchLevel.replace(/-/g, '').slice(2)}.${o.version}`;
      const body = {
        model: o.model,
        buildId,
        fingerprint:
          o.fingerprint ?? `pakawaaz/${o.model}/${o.model}:${o.version}/${buildId}/demo:user/release-keys`,
        version: o.version,
        securityPatchLevel: o.patchLevel,
        channel: o.channel,
        notes: 'published with DEMO-ONLY keys',
      };
      const release = await unwrap(ctx.api().POST('/api/v1/os/releases', { body }));
      ctx.io.stdout(`registered release ${release.id} (${o.model} ${o.version}, build ${buildId})\n`);
      await upload(ctx, release.id, o.file);

      const keys = await tuf.demoKeys(dataDir);
      const status = await unwrap(ctx.api().GET('/api/v1/os/tuf/status'));
      if (!status.root) {
        const online = await unwrap(ctx.api().GET('/api/v1/os/tuf/online-keys'));
        const root = tuf.newRoot({
          version: 1,
          expiresDays: 365,
          now: new Date(),
          roles: {
            root: { keys: [keys.root.public], threshold: 1 },
            targets: { keys: [keys.targets.public], threshold: 1 },
            timestamp: { keys: [ed25519(online.timestamp.key.keyval.public)], threshold: 1 },
            snapshot: { keys: [ed25519(online.snapshot.key.keyval.public)], threshold: 1 },
          },
        });
        (root.signed as Record<string, unknown>)[tuf.DEMO_ROOT_FIELD] = true;
        const signed = tuf.signMetadata<'root'>(root.signed, [keys.root]);
        await unwrap(ctx.api().PUT('/api/v1/os/tuf/root', { body: signed }));
        ctx.io.stdout(`published DEMO-ONLY root version 1 (keys in ${keys.dir})\n`);
      } else {
        const res = await fetch(`${baseUrlOf(ctx.io.env)}/ota/metadata/root.json`);
        const root = tuf.parseMetadata('root', Buffer.from(await res.arrayBuffer()));
        if (!root.signed.roles.targets.keyids.includes(keys.targets.keyid))
          throw new CliError(
            'The published root does not list the demo targets key: this repository is signed offline. Use `pakawaaz os tuf sign-targets`.',
            1,
          );
      }
      const exported = await unwrap(ctx.api().GET('/api/v1/os/tuf/targets-export'));
      const targets = tuf.signMetadata<'targets'>(
        tuf.buildTargets({
          version: exported.currentVersion + 1,
          expires: tuf.tufDate(new Date(Date.now() + o.expiresDays * 86_400_000)),
          targets: exported.targets,
        }),
        [keys.targets],
      );
      const r = await unwrap(ctx.api().PUT('/api/v1/os/tuf/targets', { body: targets }));
      const base = baseUrlOf(ctx.io.env);
      ctx.io.stdout(
        `published targets version ${r.version} (${r.targets ?? 0} target(s)) signed with DEMO-ONLY keys\n` +
          `  metadata: ${base}/ota/metadata/   targets: ${base}/ota/targets/\n` +
          `  handsets trust: ${base}/ota/metadata/1.root.json (DEMO-ONLY)\n`,
      );
    });
}

async function upload(ctx: CliContext, releaseId: string, file: string): Promise<void> {
  const token = ctx.io.env.PAKAWAAZ_TOKEN;
  if (!token) throw new CliError('Set PAKAWAAZ_TOKEN to an access token or API token.', 2);
  let shown = -1;
  const r = await uploadFile({
    url: `${baseUrlOf(ctx.io.env)}/api/v1/os/releases/${encodeURIComponent(releaseId)}/payloads?kind=full`,
    token,
    file,
    onProgress: (sent, total) => {
      const pct = total === 0 ? 100 : Math.floor((sent * 100) / total);
      if (pct !== shown) ctx.io.stderr(`\ruploading ${file}: ${(shown = pct)}%`);
    },
  });
  ctx.io.stderr('\n');
  const body = r.text ? (JSON.parse(r.text) as { code?: string; message?: string; sha256?: string }) : {};
  if (r.status !== 201) throw new CliError(`${r.status} ${body.code ?? ''}: ${body.message ?? r.text}`, 1);
  ctx.io.stdout(`uploaded ${file} (sha256 ${body.sha256 ?? '?'})\n`);
}
