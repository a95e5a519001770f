import { CliError, unwrap, type Schemas } from '../api-client.js';
import { InvalidArgumentError } from '../commander.js';
import type { RegisterCommands } from '../context.js';
import { findInstitution, institutionNames } from '../institutions.js';

type Bot = Schemas['ChatBot'];

/**
 * `pakawaaz chat bots add|list|disable|rotate-secret`: e-Office bots of an institution (chat-admin; national: any
 * institution). `add` prints the webhook secret and the one-time enrolment secret once, `rotate-secret` a new
 * webhook secret once.
 */
export const registerChatBotCommands: RegisterCommands = (program, ctx) => {
  const chat =
    program.commands.find((c) => c.name() === 'chat') ??
    program.command('chat').description('secure chat: e-Office bots');
  const bots = chat.command('bots').description('e-Office bots: service accounts that post into chat groups');
  const api = () => ctx.api();

  bots
    .command('add')
    .description('register a bot; prints its webhook secret and one-time enrolment secret (shown once)')
    .argument('<name>', 'shown to officials, e.g. "e-Office"')
    .requiredOption('--webhook <url>', 'https URL the server posts the bot’s queue to (signed)')
    .option('--institution <name>', 'the bot’s institution, by name or id (required for national operators)')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { webhook: string; institution?: string; json?: boolean }) => {
      const body = {
        name,
        webhookUrl: o.webhook,
        ...(o.institution ? { institutionId: (await findInstitution(api(), o.institution)).id } : {}),
      };
      const r = await unwrap(api().POST('/api/v1/chat/bots', { body }));
      const names = await institutionNames(api());
      ctx.print(
        r,
        !!o.json,
        () =>
          `registered ${botLine(r, names)}` +
          `  webhook secret:   ${r.webhookSecret}\n` +
          `  enrolment secret: ${r.enrolmentSecret}\n` +
          '  (shown once: give both to the e-Office system; it enrols with POST /api/v1/chat/bot-enrolment)\n',
      );
    });
  bots
    .command('list')
    .description('the bots of your institutions (national: all)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(api().GET('/api/v1/chat/bots'));
      const names = await institutionNames(api());
      ctx.print(r, !!o.json, () =>
        r.bots.length ? r.bots.map((b) => botLine(b, names)).join('') : 'no bots\n',
      );
    });
  bots
    .command('disable')
    .description('revoke the bot’s certificate and take it out of every group')
    .argument('<bot>', 'the bot, by name or id')
    .option('--institution <name>', 'the bot’s institution, when two institutions have bots of that name')
    .option('--json', 'print JSON')
    .action(async (ref: string, o: { institution?: string; json?: boolean }) => {
      const id = await findBot(ref, o.institution);
      const r = await unwrap(api().POST('/api/v1/chat/bots/{id}/disable', { params: { path: { id } } }));
      const names = await institutionNames(api());
      ctx.print(r, !!o.json, () => `disabled ${botLine(r, names)}`);
    });
  bots
    .command('rotate-secret')
    .description(
      'a new webhook secret (shown once); the old one still signs deliveries for the overlap. Refused while an ' +
        'earlier rotation’s overlap runs, unless --overlap-hours 0 (a leaked secret: drop every old one now)',
    )
    .argument('<bot>', 'the bot, by name or id')
    .option(
      '--overlap-hours <n>',
      'how long the old secret still signs (0–168; default: the server’s setting, 24 h); 0: not at all',
      overlapHours,
    )
    .option('--institution <name>', 'the bot’s institution, when two institutions have bots of that name')
    .option('--json', 'print JSON')
    .action(async (ref: string, o: { overlapHours?: number; institution?: string; json?: boolean }) => {
      const id = await findBot(ref, o.institution);
      const r = await unwrap(
        api().POST('/api/v1/chat/bots/{id}/webhook-secret/rotate', {
          params: { path: { id } },
          ...(o.overlapHours === undefined ? {} : { body: { overlapHours: o.overlapHours } }),
        }),
      );
      const names = await institutionNames(api());
      const overlap = r.previousSecretUntil
        ? `  the old secret still signs deliveries until ${r.previousSecretUntil} (a second signature)\n`
        : '  the old secret signs nothing any more\n';
      ctx.print(
        r,
        !!o.json,
        () => `rotated ${botLine(r, names)}  webhook secret: ${r.webhookSecret}\n  (shown once)\n${overlap}`,
      );
    });

  /** The id of the bot named `ref` (or with that id) the caller may manage. */
  async function findBot(ref: string, institution: string | undefined): Promise<string> {
    const { bots: all } = await unwrap(api().GET('/api/v1/chat/bots'));
    const inst = institution ? (await findInstitution(api(), institution)).id : undefined;
    const found = all.filter((b) => (b.id === ref || b.name === ref) && (!inst || b.institutionId === inst));
    if (found.length === 0) throw new CliError(`No bot "${ref}" you may manage.`, 1);
    if (found.length > 1)
      throw new CliError(`${found.length} bots are named "${ref}": add --institution <name>.`, 2);
    return found[0]!.id;
  }
};

function overlapHours(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 168) throw new InvalidArgumentError('expected whole hours from 0 to 168');
  return n;
}

function botLine(b: Bot, institutions: ReadonlyMap<string, string>): string {
  const retry = b.nextAttemptAt ? `, retrying at ${b.nextAttemptAt}` : '';
  const failing = b.failures > 0 ? `  webhook failing ×${b.failures}: ${b.lastError ?? '?'}${retry}` : '';
  const inst = institutions.get(b.institutionId) ?? b.institutionId;
  return `${b.id}  ${b.state.padEnd(8)}  ${b.name}  (${inst})  ${b.webhookUrl}${failing}\n`;
}
