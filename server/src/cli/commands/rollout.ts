import { Option, type Command } from 'commander';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import type { CliContext } from '../context.js';

type Plan = Schemas['RolloutPlan'];
type Phase = Plan['phases'][number]['phase'];
const PHASES: Phase[] = ['pilot', 'federal-ministries', 'nationwide'];

/** The plan as a table: each phase, what it adds, and its institutions. */
export function planText(plan: Plan): string {
  const lines: string[] = [];
  for (const p of plan.phases) {
    const members = plan.institutions.filter((i) => i.phase === p.phase);
    lines.push(`${p.phase}  (${p.institutions} institution${p.institutions === 1 ? '' : 's'})`);
    lines.push(
      `  enables: ${p.enables.join(', ') || '-'}${p.introduces.length ? `  (new: ${p.introduces.join(', ')})` : ''}`,
    );
    for (const i of members) lines.push(`  - ${i.name}  (${i.users} users)`);
  }
  const overridden = plan.capabilities.filter((c) => c.overridden).map((c) => `${c.name}=${c.firstPhase}`);
  if (overridden.length) lines.push(`PAKAWAAZ_ROLLOUT_PLAN overrides: ${overridden.join(', ')}`);
  return lines.join('\n') + '\n';
}

/**
 * `pakawaaz rollout show` and `pakawaaz institutions set-phase` (registered with the institutions commands,
 * which it joins). Institutions are named by name or id.
 */
export function registerRolloutCommands(program: Command, institutions: Command, ctx: CliContext): void {
  const { api, print } = ctx;
  program
    .command('rollout')
    .description('the national rollout: phases, what each enables, institutions per phase')
    .command('show')
    .description('show the rollout plan')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const plan = await unwrap(api().GET('/api/v1/rollout'));
      print(plan, !!o.json, () => planText(plan));
    });

  institutions
    .command('set-phase')
    .description('move an institution to another rollout phase (super-admin; audited)')
    .requiredOption('--institution <name>', 'the institution (name or id)')
    .addOption(new Option('--phase <phase>', 'the phase to move it to').choices(PHASES))
    .option('--next', 'move it to the phase after its current one')
    .option('--json', 'print JSON')
    .action(async (o: { institution: string; phase?: Phase; next?: boolean; json?: boolean }) => {
      if (!o.phase === !o.next) throw new CliError('Give either --phase <phase> or --next.', 2);
      const plan = await unwrap(api().GET('/api/v1/rollout'));
      const found = plan.institutions.find((i) => i.id === o.institution || i.name === o.institution);
      if (!found) throw new CliError(`No institution "${o.institution}".`, 1);
      const phase = o.phase ?? found.nextPhase;
      if (!phase) throw new CliError(`${found.name} is already in the last phase (${found.phase}).`, 1);
      const r = await unwrap(
        api().POST('/api/v1/institutions/{id}/rollout-phase', {
          params: { path: { id: found.id } },
          body: { phase, from: found.phase },
        }),
      );
      const enables = plan.phases.find((p) => p.phase === r.rolloutPhase)?.enables ?? [];
      print(r, !!o.json, () =>
        found.phase === r.rolloutPhase
          ? `${r.name} is already in phase ${r.rolloutPhase}.\n`
          : `${r.name}: ${found.phase} → ${r.rolloutPhase} (its officials now get: ${enables.join(', ') || 'nothing'})\n`,
      );
    });
}
