import { readFile } from 'node:fs/promises';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import type { RegisterCommands } from '../context.js';

/** Subscriber profile templates (`pakawaaz profiles …`): what a SIM is entitled to; saved after a preview. */
export const registerProfileCommands: RegisterCommands = (program, { api, io, print }) => {
  const profiles = program
    .command('profiles')
    .description('subscriber profile templates (AMBR, slices, DNNs, QoS)');
  profiles
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(api().GET('/api/v1/subscriber-profiles'));
      print(
        r,
        !!o.json,
        () => r.profiles.map((p) => `${p.name.padEnd(16)} ${p.description}`).join('\n') + '\n',
      );
    });
  profiles
    .command('save <name> <file>')
    .description(
      'create or replace a profile from a YAML or JSON file ({ ambr, slices }): every problem and the diff first',
    )
    .option('--description <text>', 'what the profile is for', '')
    .option('--dry-run', 'print the problems, the diff and who uses the profile; save nothing')
    .action(async (name: string, file: string, o: { description: string; dryRun?: boolean }) => {
      const text = await readFile(file, 'utf8').catch(() => {
        throw new CliError(`Cannot read ${file}.`, 2);
      });
      const { parse } = await import('yaml');
      let profile: Schemas['SaveProfile']['profile'];
      try {
        profile = parse(text) as Schemas['SaveProfile']['profile'];
      } catch (err) {
        throw new CliError(`${file} is not YAML or JSON: ${(err as Error).message.split('\n')[0]}`, 2);
      }
      const preview = await unwrap(
        api().POST('/api/v1/subscriber-profiles/{name}/preview', {
          params: { path: { name } },
          body: { profile },
        }),
      );
      printProfilePreview(preview, name, file, io);
      if (!preview.valid) throw new CliError('', 1);
      if (o.dryRun) return;
      await unwrap(
        api().PUT('/api/v1/subscriber-profiles/{name}', {
          params: { path: { name } },
          body: { description: o.description, profile },
        }),
      );
      io.stdout(`saved profile ${name}\n`);
    });
};

/** Problems on stderr (`file: path: message`), then the diff and who uses the profile on stdout. */
function printProfilePreview(
  p: Schemas['SubscriberProfilePreview'],
  name: string,
  file: string,
  io: { stdout(s: string): void; stderr(s: string): void },
): void {
  const at = (i: Schemas['SubscriberProfilePreview']['errors'][number]) =>
    `${file}: ${i.path ? `${i.path}: ` : ''}${i.message}\n`;
  for (const e of p.errors) io.stderr(`error: ${at(e)}`);
  for (const w of p.warnings) io.stderr(`warning: ${at(w)}`);
  if (!p.valid) {
    io.stderr(`${p.errors.length} ${p.errors.length === 1 ? 'error' : 'errors'}: nothing saved\n`);
    return;
  }
  if (!p.exists) io.stdout(`new profile ${name}\n`);
  else if (!p.changed) io.stdout(`no change to profile ${name}\n`);
  else io.stdout(p.diff);
  const { total, sample } = p.subscribers;
  if (total > 0)
    io.stdout(
      `${total} subscriber(s) use ${name} and are re-synced to Open5GS on save: ${sample
        .map((s) => `${s.displayName} (${s.imsi})`)
        .join(', ')}${total > sample.length ? ', …' : ''}\n`,
    );
}
