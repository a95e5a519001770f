import type { Command } from 'commander';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import type { CliContext } from '../context.js';

type Rollout = Schemas['AppRollout'];

/** One line per rollout: what, where, how far, and why it stopped. */
export function rolloutLine(r: Rollout, names: { pkg?: string; institution?: string } = {}): string {
  return [
    r.id,
    r.state.padEnd(9),
    `${String(r.percent).padStart(3)}%`,
    (names.pkg ?? r.appId).padEnd(32),
    names.institution ?? r.institutionId,
    r.haltReason ? `  halted: ${r.haltReason}` : '',
  ]
    .join('  ')
    .trimEnd();
}

/** `store rollout show`: the rollout and its figures as weighed from the handsets now. */
export function rolloutText(r: Rollout, names: { pkg?: string; institution?: string } = {}): string {
  const lines = [rolloutLine(r, names)];
  lines.push(
    `  halt when  failure rate > ${(r.failureThreshold * 100).toFixed(1)}% over at least ${r.minDevices} devices`,
  );
  lines.push(`  started    ${r.createdAt} by ${r.createdByName}`);
  const f = r.figures;
  if (!f) lines.push('  figures    unavailable (no device fleet on this node)');
  else
    lines.push(
      `  handsets   ${f.targeted} targeted, ${f.queued} queued, ${f.installed} installed`,
      `  failures   ${f.failed} failed installs, ${f.crashing} crashing, ${f.attestationFailures} failed attestation`,
      `  rate       ${f.failures}/${f.attempted} = ${(f.failureRate * 100).toFixed(1)}%`,
    );
  return `${lines.join('\n')}\n`;
}

/**
 * `store rollout …` and `store kill`: reviewers name apps by package and institutions by name; the ids are
 * resolved through the list endpoints they can read.
 */
export function registerStoreRolloutCommands(store: Command, ctx: CliContext): void {
  const api = () => ctx.api();
  const print = ctx.print;

  async function institutionId(nameOrId: string): Promise<string> {
    const { institutions } = await unwrap(api().GET('/api/v1/institutions'));
    const found = institutions.find((i) => i.name === nameOrId || i.id === nameOrId);
    if (!found) throw new CliError(`No institution "${nameOrId}".`, 1);
    return found.id;
  }

  async function names(): Promise<{ apps: Map<string, string>; institutions: Map<string, string> }> {
    const { apps } = await unwrap(api().GET('/api/v1/store/apps'));
    const { institutions } = await unwrap(api().GET('/api/v1/institutions')).catch(() => ({
      institutions: [] as { id: string; name: string }[],
    }));
    return {
      apps: new Map(apps.map((a) => [a.id, a.packageName])),
      institutions: new Map(institutions.map((i) => [i.id, i.name])),
    };
  }

  /** The version of a package with this versionCode that `accept` takes (approved; for a kill, withdrawn too). */
  async function versionOf(pkg: string, versionCode: number, accept: readonly string[]) {
    const { apps } = await unwrap(api().GET('/api/v1/store/apps'));
    const app = apps.find((a) => a.packageName === pkg);
    if (!app) throw new CliError(`No app ${pkg} in your scope.`, 1);
    const { versions } = await unwrap(
      api().GET('/api/v1/store/apps/{id}/versions', { params: { path: { id: app.id } } }),
    );
    const version = versions.find((v) => v.versionCode === versionCode && accept.includes(v.state));
    if (!version)
      throw new CliError(`${pkg} has no ${accept.join(' or ')} version with versionCode ${versionCode}.`, 1);
    return version;
  }

  const show = async (r: Rollout, json: boolean) => {
    const n = await names();
    print(r, json, () =>
      rolloutText(r, { pkg: n.apps.get(r.appId), institution: n.institutions.get(r.institutionId) }),
    );
  };

  const rollout = store
    .command('rollout')
    .description("staged installs of an approved version on an institution's handsets (app-reviewer)");
  rollout
    .command('start <package>')
    .description('install a version on a share of the institution’s handsets (audited)')
    .requiredOption('--version-code <n>', 'the approved version', (v) => Number.parseInt(v, 10))
    .requiredOption('--institution <name>', 'the institution (name or id)')
    .requiredOption('--percent <p>', 'share of its handsets, 1–100', (v) => Number.parseInt(v, 10))
    .option('--threshold <rate>', 'halt over this failure rate (default 0.05)', Number.parseFloat)
    .option('--min-devices <n>', 'devices attempted before the rate counts (default 5)', (v) =>
      Number.parseInt(v, 10),
    )
    .option('--json', 'print JSON')
    .action(
      async (
        pkg: string,
        o: {
          versionCode: number;
          institution: string;
          percent: number;
          threshold?: number;
          minDevices?: number;
          json?: boolean;
        },
      ) => {
        const version = await versionOf(pkg, o.versionCode, ['approved']);
        const r = await unwrap(
          api().POST('/api/v1/store/rollouts', {
            body: {
              versionId: version.id,
              institutionId: await institutionId(o.institution),
              percent: o.percent,
              ...(o.threshold !== undefined ? { failureThreshold: o.threshold } : {}),
              ...(o.minDevices !== undefined ? { minDevices: o.minDevices } : {}),
            },
          }),
        );
        await show(r, !!o.json);
      },
    );
  rollout
    .command('list')
    .description('rollouts in your scope, newest first')
    .option('--institution <name>', 'one institution only (name or id)')
    .option('--json', 'print JSON')
    .action(async (o: { institution?: string; json?: boolean }) => {
      const query = o.institution ? { institutionId: await institutionId(o.institution) } : {};
      const r = await unwrap(api().GET('/api/v1/store/rollouts', { params: { query } }));
      const n = await names();
      print(
        r,
        !!o.json,
        () =>
          r.rollouts
            .map(
              (x) =>
                `${rolloutLine(x, { pkg: n.apps.get(x.appId), institution: n.institutions.get(x.institutionId) })}\n`,
            )
            .join('') || 'no rollouts\n',
      );
    });
  rollout
    .command('show <id>')
    .description('a rollout with its figures (installed, failed, crashing, failed attestation)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      await show(
        await unwrap(api().GET('/api/v1/store/rollouts/{id}', { params: { path: { id } } })),
        !!o.json,
      );
    });
  rollout
    .command('set <id>')
    .description('widen a rollout (only up: the handsets it reached keep the version)')
    .requiredOption('--percent <p>', 'the new share, 1–100', (v) => Number.parseInt(v, 10))
    .option('--json', 'print JSON')
    .action(async (id: string, o: { percent: number; json?: boolean }) => {
      const r = await unwrap(
        api().POST('/api/v1/store/rollouts/{id}/percent', {
          params: { path: { id } },
          body: { percent: o.percent },
        }),
      );
      await show(r, !!o.json);
    });
  for (const what of ['pause', 'resume'] as const)
    rollout
      .command(`${what} <id>`)
      .description(what === 'pause' ? 'no new installs until resumed' : 'installs go on')
      .option('--json', 'print JSON')
      .action(async (id: string, o: { json?: boolean }) => {
        const r = await unwrap(
          api().POST(`/api/v1/store/rollouts/{id}/${what}`, { params: { path: { id } } }),
        );
        await show(r, !!o.json);
      });
  rollout
    .command('halt <id>')
    .description('stop a rollout for good (handsets keep the version: see `store kill`)')
    .requiredOption('--reason <text>', 'why (audited)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { reason: string; json?: boolean }) => {
      const r = await unwrap(
        api().POST('/api/v1/store/rollouts/{id}/halt', {
          params: { path: { id } },
          body: { reason: o.reason },
        }),
      );
      await show(r, !!o.json);
    });

  store
    .command('kill <package>')
    .description('withdraw a version, halt its rollouts and uninstall it from every handset (app-reviewer)')
    .requiredOption('--version-code <n>', 'the version', (v) => Number.parseInt(v, 10))
    .requiredOption('--reason <text>', 'why (audited)')
    .option('--json', 'print JSON')
    .action(async (pkg: string, o: { versionCode: number; reason: string; json?: boolean }) => {
      const version = await versionOf(pkg, o.versionCode, ['approved', 'withdrawn', 'in_review']);
      const r = await unwrap(
        api().POST('/api/v1/store/versions/{id}/kill', {
          params: { path: { id: version.id } },
          body: { reason: o.reason },
        }),
      );
      print(
        r,
        !!o.json,
        () =>
          `${pkg} versionCode ${o.versionCode} withdrawn; ${r.haltedRollouts.length} rollout(s) halted; ` +
          `${r.installsCancelled} pending install(s) cancelled; ` +
          `${r.uninstallsQueued} uninstall(s) queued in ${r.institutions.length} institution(s)\n`,
      );
    });
}
