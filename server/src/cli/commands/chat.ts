import type { Command } from 'commander';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import { positiveInt, type CliContext, type RegisterCommands } from '../context.js';
import { printable } from './radius-log.js';

type Policy = Schemas['ChatPolicy'];
type Held = Schemas['ChatHeldMetadataPage']['entries'][number];
const MODES = ['directory', 'own-institution', 'allow-list'] as const;

/**
 * `pakawaaz chat policy list|show|set` and `pakawaaz chat hold set|release|metadata`: per-institution chat
 * policies and legal holds. Operators name institutions by name (or id); the ids are resolved through
 * GET /api/v1/institutions.
 */
export const registerChatCommands: RegisterCommands = (program, ctx) => {
  const chat = program
    .command('chat')
    .description('secure chat: per-institution policies, legal holds and e-Office bots');
  const api = () => ctx.api();
  const names = async () => {
    const { institutions } = await unwrap(api().GET('/api/v1/institutions'));
    return institutions;
  };
  const idOf = async (nameOrId: string) => {
    const found = (await names()).find((i) => i.name === nameOrId || i.id === nameOrId);
    if (!found) throw new CliError(`No institution "${nameOrId}".`, 1);
    return found.id;
  };
  registerPolicyCommands(chat, ctx, idOf, names);
  registerHoldCommands(chat, ctx, idOf);
};

type Names = () => Promise<{ id: string; name: string }[]>;

function registerPolicyCommands(
  chat: Command,
  ctx: CliContext,
  idOf: (n: string) => Promise<string>,
  names: Names,
) {
  const api = () => ctx.api();
  const policy = chat
    .command('policy')
    .description('whom officials may chat with; how long queues keep ciphertext');
  policy
    .command('list')
    .description('stored policies (an institution: its own)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(api().GET('/api/v1/chat/policies'));
      const byId = new Map((await names().catch(() => [])).map((i) => [i.id, i.name]));
      ctx.print(r, !!o.json, () =>
        r.policies.length ? r.policies.map((p) => line(p, byId)).join('') : 'no chat policies stored\n',
      );
    });
  policy
    .command('show')
    .argument('<institution>', 'the institution (name or id)')
    .option('--json', 'print JSON')
    .action(async (inst: string, o: { json?: boolean }) => {
      const institutionId = await idOf(inst);
      const r = await unwrap(
        api().GET('/api/v1/chat/policies/{institutionId}', { params: { path: { institutionId } } }),
      );
      ctx.print(r, !!o.json, () => detail(r, inst));
    });
  policy
    .command('set')
    .description('set an institution’s chat policy (national chat-admin)')
    .argument('<institution>', 'the institution (name or id)')
    .requiredOption('--cross <mode>', `cross-institution messaging: ${MODES.join(' | ')}`)
    .option('--allow <institution>', 'with allow-list: an institution allowed (repeat)', collect, [])
    .option('--retention-days <days>', 'days undelivered ciphertext is kept (1–365)', positiveInt, 30)
    .option('--json', 'print JSON')
    .action(
      async (inst: string, o: { cross: string; allow: string[]; retentionDays: number; json?: boolean }) => {
        if (!(MODES as readonly string[]).includes(o.cross))
          throw new CliError(`--cross: one of ${MODES.join(', ')}.`, 2);
        const institutionId = await idOf(inst);
        const body = {
          crossInstitution: o.cross as (typeof MODES)[number],
          allowedInstitutions: await Promise.all(o.allow.map(idOf)),
          retentionDays: o.retentionDays,
        };
        const r = await unwrap(
          api().PUT('/api/v1/chat/policies/{institutionId}', { params: { path: { institutionId } }, body }),
        );
        ctx.print(r, !!o.json, () => `set ${detail(r, inst)}`);
      },
    );
}

function registerHoldCommands(chat: Command, ctx: CliContext, idOf: (n: string) => Promise<string>) {
  const api = () => ctx.api();
  const hold = chat.command('hold').description('legal hold of delivery metadata (never message content)');
  const path = (institutionId: string) => ({ params: { path: { institutionId } } });
  hold
    .command('set')
    .argument('<institution>', 'the institution (name or id)')
    .requiredOption('--reason <text>', 'the case or order reference (audited)')
    .option('--json', 'print JSON')
    .action(async (inst: string, o: { reason: string; json?: boolean }) => {
      const id = await idOf(inst);
      const r = await unwrap(
        api().PUT('/api/v1/chat/policies/{institutionId}/hold', { ...path(id), body: { reason: o.reason } }),
      );
      ctx.print(r, !!o.json, () => `on hold: ${detail(r, inst)}`);
    });
  hold
    .command('release')
    .argument('<institution>', 'the institution (name or id)')
    .option('--json', 'print JSON')
    .action(async (inst: string, o: { json?: boolean }) => {
      const r = await unwrap(
        api().DELETE('/api/v1/chat/policies/{institutionId}/hold', path(await idOf(inst))),
      );
      ctx.print(r, !!o.json, () => `hold lifted (the next sweep deletes its metadata): ${detail(r, inst)}`);
    });
  hold
    .command('metadata')
    .description('the metadata kept under the hold, newest first (every read is audited)')
    .argument('<institution>', 'the institution (name or id)')
    .option('--limit <n>', 'entries', positiveInt, 100)
    .option('--before <id>', 'entries before this id (paging)', positiveInt)
    .option('--json', 'print JSON')
    .action(async (inst: string, o: { limit: number; before?: number; json?: boolean }) => {
      const query = {
        institution: await idOf(inst),
        limit: o.limit,
        ...(o.before ? { beforeId: o.before } : {}),
      };
      const r = await unwrap(api().GET('/api/v1/chat/held-metadata', { params: { query } }));
      ctx.print(r, !!o.json, () =>
        r.entries.length
          ? r.entries.map(heldLine).join('') + (r.nextBeforeId ? `more: --before ${r.nextBeforeId}\n` : '')
          : 'no metadata held\n',
      );
    });
}

function line(p: Policy, names: Map<string, string>): string {
  const name = printable(names.get(p.institutionId) ?? p.institutionId);
  return `${name.padEnd(30)} ${p.crossInstitution.padEnd(16)} retention ${p.retentionDays} d${p.hold ? '  ON HOLD' : ''}\n`;
}

function detail(p: Policy, name: string): string {
  const allowed = p.crossInstitution === 'allow-list' ? ` (${p.allowedInstitutions.join(', ')})` : '';
  const hold = p.hold
    ? `legal hold since ${p.hold.since} by ${printable(p.hold.setBy ?? '?')}: ${printable(p.hold.reason)}`
    : 'no legal hold';
  return `${printable(name)} (${p.institutionId}), ${p.source}\ncross-institution: ${p.crossInstitution}${allowed}\nretention: ${p.retentionDays} days\n${hold}\n`;
}

function heldLine(h: Held): string {
  return `${String(h.id).padStart(8)}  ${h.at}  ${h.kind.padEnd(11)} ${String(h.sizeBytes).padStart(7)} B  to ${h.recipients}  device ${h.senderDevice}  group ${h.groupId}\n`;
}

function collect(v: string, all: string[]): string[] {
  return [...all, v];
}
