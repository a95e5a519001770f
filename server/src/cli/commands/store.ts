import { readFile } from 'node:fs/promises';
import { Option } from '../commander.js';
import { baseUrlOf, CliError, unwrap, type Schemas } from '../api-client.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { uploadFile } from './os-upload.js';
import { registerStoreLogCommands } from './store-log.js';
import { registerStoreRolloutCommands } from './store-rollouts.js';

type PublishResult = Schemas['StorePublishResult'];
type Version = Schemas['StoreAppVersion'];
const TRACKS = ['pilot', 'beta', 'stable'] as const;

const MiB = 1024 * 1024;
/** The APK media type the upload route takes (the domain's constant, not imported: the CLI stays light). */
const APK_MEDIA_TYPE = 'application/vnd.android.package-archive';

/** `[#####-----]  45%  12.3/27.0 MiB`: the upload's progress, redrawn in place. */
export function uploadBar(sent: number, total: number, width = 30): string {
  const ratio = total === 0 ? 1 : Math.min(1, sent / total);
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${(sent / MiB).toFixed(1)}/${(total / MiB).toFixed(1)} MiB`;
}

/** What `store publish` prints: the verification result, as a reviewer will see it. */
export function publishText(r: PublishResult): string {
  const v = r.version;
  const m = v.manifest;
  const schemes = (['v1', 'v2', 'v3'] as const).filter((s) => m.schemes[s]).join('+') || 'none';
  const lines = [
    `${r.app.packageName} ${v.versionName ?? ''} (versionCode ${v.versionCode}) on ${v.track}: ${v.state}`,
    `  sha256     ${v.apkSha256}  ${v.sizeBytes} bytes`,
    `  signed     ${v.signers.join(', ')} (${schemes})${r.rotated ? '  rotated from the pinned signer' : ''}`,
    `  sdk        min ${m.minSdk ?? '-'}, target ${m.targetSdk ?? '-'}${m.nativeAbis.length ? `  abis ${m.nativeAbis.join(' ')}` : ''}`,
    ...r.permissionDiff.added.map((p) => `  + ${p}`),
    ...r.permissionDiff.removed.map((p) => `  - ${p}`),
    ...(v.findings.length === 0
      ? ['  policy     no findings']
      : v.findings.map((f) => `  finding    ${f.code}: ${f.detail}`)),
  ];
  return `${lines.join('\n')}\n`;
}

const versionLine = (pkg: string, v: Version) =>
  `${pkg.padEnd(32)} ${String(v.versionCode).padStart(10)} ${(v.versionName ?? '').padEnd(12)} ${v.track.padEnd(6)} ${v.state.padEnd(9)} ${v.findings.length ? `${v.findings.length} finding(s)` : ''}`.trimEnd();

async function publish(
  ctx: CliContext,
  file: string,
  o: { track: (typeof TRACKS)[number]; notes?: string; org?: string; json?: boolean },
) {
  const token = ctx.io.env.PAKAWAAZ_TOKEN;
  if (!token) throw new CliError('Set PAKAWAAZ_TOKEN to an access token or API token.', 2);
  const notes = o.notes ? await readFile(o.notes, 'utf8') : '';
  const query = new URLSearchParams({ track: o.track, notes });
  if (o.org) query.set('org', o.org);
  const tty = process.stderr.isTTY === true;
  let shown = -1;
  const r = await uploadFile({
    url: `${baseUrlOf(ctx.io.env)}/api/v1/store/apps/versions?${query.toString()}`,
    token,
    file,
    contentType: APK_MEDIA_TYPE,
    onProgress: (sent, total) => {
      // On a terminal the bar is redrawn in place; in a log, a line per 10%.
      const step = tty
        ? Math.floor((sent * 100) / Math.max(total, 1))
        : Math.floor((sent * 10) / Math.max(total, 1));
      if (step === shown) return;
      shown = step;
      ctx.io.stderr(tty ? `\r${uploadBar(sent, total)}` : `${uploadBar(sent, total)}\n`);
    },
  });
  if (tty) ctx.io.stderr('\n');
  const body = r.text ? (JSON.parse(r.text) as PublishResult & { code?: string; message?: string }) : null;
  if (r.status !== 201 || !body)
    throw new CliError(`${r.status} ${body?.code ?? ''}: ${body?.message ?? r.text}`, 1);
  ctx.print(body, !!o.json, () => publishText(body));
}

/** The app store from a developer's seat: publish an APK, list the versions of one's apps. */
export const registerStoreCommands: RegisterCommands = (program, ctx) => {
  const store = program.command('store').description('the app store: publish APKs and follow their review');
  store
    .command('publish <apk>')
    .description('upload an APK (streamed, with progress): verified, checked against policy, then in review')
    .addOption(new Option('--track <track>', 'release track').choices(TRACKS).default('pilot'))
    .option('--notes <file>', 'release notes (text) for the reviewers')
    .option('--org <id>', 'the developer organisation that owns a new package (when you are in several)')
    .option('--json', 'print JSON')
    .action(
      (file: string, o: { track: (typeof TRACKS)[number]; notes?: string; org?: string; json?: boolean }) =>
        publish(ctx, file, o),
    );
  store
    .command('versions')
    .description("versions of your organisations' apps, highest versionCode first")
    .option('--package <name>', 'one app only')
    .option('--json', 'print JSON')
    .action(async (o: { package?: string; json?: boolean }) => {
      const { apps } = await unwrap(ctx.api().GET('/api/v1/store/apps'));
      const chosen = apps.filter((a) => o.package === undefined || a.packageName === o.package);
      if (o.package !== undefined && chosen.length === 0)
        throw new CliError(`No app ${o.package} among yours.`, 1);
      const rows: (Version & { packageName: string })[] = [];
      for (const app of chosen) {
        const { versions } = await unwrap(
          ctx.api().GET('/api/v1/store/apps/{id}/versions', { params: { path: { id: app.id } } }),
        );
        rows.push(...versions.map((v) => ({ packageName: app.packageName, ...v })));
      }
      ctx.print({ versions: rows }, !!o.json, () =>
        rows.map((v) => `${versionLine(v.packageName, v)}\n`).join(''),
      );
    });
  registerStoreLogCommands(store, ctx);
  registerStoreRolloutCommands(store, ctx);
};
