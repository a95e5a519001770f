import { unwrap, type Schemas } from '../api-client.js';
import type { RegisterCommands } from '../context.js';

type Bot = Schemas['ChatBot'];

/**
 * `pakawaaz chat bots add|list|disable`: e-Office bots of an institution (chat-admin; national: any
 * institution). `add` prints the webhook secret and the one-time enrolment secret once.
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
    .option('--institution <id>', 'the bot’s institution (required for national operators)')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { webhook: string; institution?: string; json?: boolean }) => {
      const body = {
        name,
        webhookUrl: o.webhook,
        ...(o.institution ? { institutionId: o.institution } : {}),
      };
      const r = await unwrap(api().POST('/api/v1/chat/bots', { body }));
      ctx.print(
        r,
        !!o.json,
        () =>
          `registered ${botLine(r)}` +
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
      ctx.print(r, !!o.json, () => (r.bots.length ? r.bots.map(botLine).join('') : 'no bots\n'));
    });
  bots
    .command('disable')
    .description('revoke the bot’s certificate and take it out of every group')
    .argument('<bot>', 'the bot id')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const r = await unwrap(api().POST('/api/v1/chat/bots/{id}/disable', { params: { path: { id } } }));
      ctx.print(r, !!o.json, () => `disabled ${botLine(r)}`);
    });
};

function botLine(b: Bot): string {
  const failing = b.failures > 0 ? `  webhook failing ×${b.failures}: ${b.lastError ?? '?'}` : '';
  return `${b.id}  ${b.state.padEnd(8)}  ${b.name}  (${b.institutionId})  ${b.webhookUrl}${failing}\n`;
}
