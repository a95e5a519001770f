import type { Command } from 'commander';
import { Option } from '../commander.js';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import type { CliContext } from '../context.js';

type Rollout = Schemas['OsRollout'];
type Ring = Schemas['InstitutionRing']['ring'];
const RINGS: Ring[] = ['pilot', 'early', 'broad'];

const progress = (p: { updated: number; failed: number; pending: number }) =>
  `updated ${p.updated}, failed ${p.failed}, pending ${p.pending}`;

export function rolloutLine(r: Rollout): string {
  const stage = r.stages[r.currentStage];
  const where =
    r.state === 'completed'
      ? 'all stages'
      : stage
        ? `stage ${r.currentStage + 1}/${r.stages.length} ${stage.ring} ${stage.percent}%`
        : '-';
  return `${r.id}  ${r.model.padEnd(10)} ${(r.release?.buildId ?? r.releaseId).padEnd(18)} ${r.state.padEnd(9)} ${where}`;
}

/** `pakawaaz os rollout show`: the stages, progress per ring, and why it halted. */
export function rolloutText(r: Rollout): string {
  const lines = [rolloutLine(r)];
  if (r.haltReason) lines.push(`halted: ${r.haltReason}`);
  lines.push(
    `release ${r.release ? `${r.release.buildId} (Android ${r.release.version}, patch ${r.release.securityPatchLevel})` : r.releaseId}`,
    `auto-halt above ${Math.round(r.failureThreshold * 100)}% failed, from ${r.minOutcomes} outcomes per stage`,
    'stages:',
    ...r.stages.map(
      (s, i) =>
        `  ${String(i + 1).padStart(2)}. ${s.ring.padEnd(5)} ${`${s.percent}%`.padStart(4)}  soak ${s.soakMinutes} min  ${s.status.padEnd(7)} ${progress(s.progress)}`,
    ),
    `rings${r.scope === 'institution' ? ' (your institutions’ devices)' : ''}:`,
    ...r.rings.map((g) => `  ${g.ring.padEnd(5)} ${progress(g)}`),
  );
  return lines.join('\n') + '\n';
}

type Stage = { ring: Ring; percent: number; soakMinutes: number };

/** "pilot:100:1440,early:10:720" → stages (ring:percent[:soakMinutes], soak defaulting to a day). */
export function parseStages(text: string): Stage[] {
  return text.split(',').map((part) => {
    const [ring, percent, soak] = part.trim().split(':');
    if (!RINGS.includes(ring as Ring) || !percent || !/^\d+$/.test(percent) || (soak && !/^\d+$/.test(soak)))
      throw new CliError(`Bad stage "${part}": expected ring:percent[:soakMinutes], e.g. early:10:1440.`, 2);
    return { ring: ring as Ring, percent: Number(percent), soakMinutes: soak ? Number(soak) : 1440 };
  });
}

/** `pakawaaz os rollout …` and `pakawaaz os ring set`: staged rollouts of a release, institutions' rings. */
export function registerRolloutCommands(os: Command, ctx: CliContext): void {
  const { api, print } = ctx;
  const rollout = os
    .command('rollout')
    .description('roll a release out ring by ring (pilot → early → broad)');
  rollout
    .command('create <release-id>')
    .description('start (or schedule) a rollout of a release (os-admin)')
    .option(
      '--stages <list>',
      'ring:percent[:soakMinutes],… (default pilot 100 / early 10,50,100 / broad 5,25,100)',
    )
    .option('--start-at <ISO time>', 'schedule it (default: now)')
    .option('--failure-threshold <fraction>', 'halt above this failed share, e.g. 0.05')
    .option('--min-outcomes <n>', 'outcomes a stage needs before the failure rate counts')
    .option('--json', 'print JSON')
    .action(
      async (
        releaseId: string,
        o: {
          stages?: string;
          startAt?: string;
          failureThreshold?: string;
          minOutcomes?: string;
          json?: boolean;
        },
      ) => {
        const body = {
          releaseId,
          ...(o.stages ? { stages: parseStages(o.stages) } : {}),
          ...(o.startAt ? { startAt: o.startAt } : {}),
          ...(o.failureThreshold ? { failureThreshold: Number(o.failureThreshold) } : {}),
          ...(o.minOutcomes ? { minOutcomes: Number(o.minOutcomes) } : {}),
        };
        const r = await unwrap(api().POST('/api/v1/os/rollouts', { body }));
        print(r, !!o.json, () => rolloutText(r));
      },
    );
  rollout
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(api().GET('/api/v1/os/rollouts'));
      print(r, !!o.json, () => r.rollouts.map((x) => `${rolloutLine(x)}\n`).join('') || 'no rollouts\n');
    });
  rollout
    .command('show <rollout-id>')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const r = await unwrap(api().GET('/api/v1/os/rollouts/{id}', { params: { path: { id } } }));
      print(r, !!o.json, () => rolloutText(r));
    });
  for (const verb of ['pause', 'resume'] as const)
    rollout
      .command(`${verb} <rollout-id>`)
      .description(
        {
          pause: 'offer nothing more until resumed',
          resume: 'run again (the current stage soaks again in full)',
        }[verb],
      )
      .option('--json', 'print JSON')
      .action(async (id: string, o: { json?: boolean }) => {
        const r = await unwrap(api().POST(`/api/v1/os/rollouts/{id}/${verb}`, { params: { path: { id } } }));
        print(r, !!o.json, () => rolloutText(r));
      });
  rollout
    .command('advance <rollout-id>')
    .description('start the next stage now (refused while the failure rate is over the threshold)')
    .option('--force', 'advance even over the failure threshold (recorded in the audit log)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { force?: boolean; json?: boolean }) => {
      const r = await unwrap(
        api().POST('/api/v1/os/rollouts/{id}/advance', {
          params: { path: { id } },
          body: o.force ? { force: true } : {},
        }),
      );
      print(r, !!o.json, () => rolloutText(r));
    });
  rollout
    .command('halt <rollout-id>')
    .description('stop it for good (final; create a new rollout to go on)')
    .requiredOption('--reason <text>', 'why (shown in the NOC and audited)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { reason: string; json?: boolean }) => {
      const r = await unwrap(
        api().POST('/api/v1/os/rollouts/{id}/halt', { params: { path: { id } }, body: { reason: o.reason } }),
      );
      print(r, !!o.json, () => rolloutText(r));
    });

  const ring = os.command('ring').description("institutions' rollout rings (default broad)");
  ring
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(api().GET('/api/v1/os/rings'));
      print(
        r,
        !!o.json,
        () =>
          r.rings
            .map(
              (g) =>
                `${(g.institutionName ?? `unknown institution ${g.institutionId}`).padEnd(40)} ${g.ring}\n`,
            )
            .join('') || 'every institution is in broad\n',
      );
    });
  ring
    .command('set')
    .description("set an institution's ring (os-admin; audited)")
    .requiredOption('--institution <name>', 'the institution (name or id)')
    .addOption(new Option('--ring <ring>').choices(RINGS).makeOptionMandatory())
    .option('--json', 'print JSON')
    .action(async (o: { institution: string; ring: Ring; json?: boolean }) => {
      const all = await unwrap(api().GET('/api/v1/institutions'));
      const found = all.institutions.find((i) => i.name === o.institution || i.id === o.institution);
      if (!found) throw new CliError(`No institution "${o.institution}".`, 1);
      const r = await unwrap(
        api().PUT('/api/v1/os/rings/{institutionId}', {
          params: { path: { institutionId: found.id } },
          body: { ring: o.ring },
        }),
      );
      print(r, !!o.json, () => `${found.name} is in ring ${o.ring}\n`);
    });
}
