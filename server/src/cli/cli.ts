import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ROLES, type Env } from '@pakawaaz/platform';
import { VERSION } from '../version.js';
import { apiClient, CliError } from './api-client.js';
import { auditVerifyOffline } from './offline.js';

export type CliIo = {
  env: Env;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  fetch?: typeof fetch;
  stdin?: () => string;
};

type TokenView = {
  id: string;
  name: string;
  roles: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
};
type Verification = {
  ok: boolean;
  entries: number;
  head: string | null;
  brokenAt: { seq: number; id: string; reason: string } | null;
};

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

/** Builds the `pakawaaz` command tree. State-changing commands go through the HTTP API, never the database. */
export function buildCli(io: CliIo): Command {
  const api = () => apiClient(io.env, io.fetch);
  const print = (v: unknown, json: boolean, human: () => string) =>
    io.stdout(json ? `${JSON.stringify(v, null, 2)}\n` : human());
  const program = new Command('pakawaaz')
    .description(
      'Pakawaaz control plane: server and operator CLI (talks to PAKAWAAZ_URL with PAKAWAAZ_TOKEN)',
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command('start')
    .description('run the control plane (embedded database unless DATABASE_URL is set)')
    .action(async () => (await import('../main.js')).main());

  program
    .command('migrate')
    .description(
      'apply pending database migrations of every domain and exit (the server also migrates at start-up)',
    )
    .action(async () => {
      const { runMigrations } = await import('./offline.js');
      io.stdout(`${await runMigrations(io.env)}\n`);
    });

  program
    .command('status')
    .description('readiness of the running server')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await api()
        .request<{ status: string; checks: Record<string, string> }>('GET', '/readyz', undefined, {
          auth: false,
        })
        .catch((e: unknown) => {
          if (e instanceof CliError && e.exitCode === 1) return { status: 'not_ready', checks: {} };
          throw e;
        });
      print(
        r,
        !!o.json,
        () =>
          `${r.status} ${Object.entries(r.checks)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}\n`,
      );
      if (r.status !== 'ready') throw new CliError('', 1);
    });

  program
    .command('login')
    .description('sign in as a NOC operator and print an access token (for PAKAWAAZ_TOKEN)')
    .requiredOption('--username <username>', 'operator username')
    .option(
      '--password <password>',
      'password (prefer --password-stdin: arguments are visible to other users)',
    )
    .option('--password-stdin', 'read the password from standard input')
    .action(async (o: { username: string; password?: string; passwordStdin?: boolean }) => {
      const password = o.passwordStdin
        ? (io.stdin ?? (() => readFileSync(0, 'utf8')))().replace(/\r?\n$/, '')
        : o.password;
      if (!password) throw new CliError('Give --password or --password-stdin.', 2);
      const r = await api().request<{ accessToken: string }>(
        'POST',
        '/api/v1/auth/login',
        { username: o.username, password },
        { auth: false },
      );
      io.stdout(`${r.accessToken}\n`);
    });

  const tokens = program.command('tokens').description('API tokens for automation (super-admin)');
  tokens
    .command('create')
    .description('create an API token and print its secret (shown once)')
    .addOption(
      new Option('--role <role...>', 'role(s) the token carries').choices(ROLES).makeOptionMandatory(),
    )
    .option('--name <name>', 'what the token is for', 'automation')
    .option('--expires-in-days <days>', 'expiry in days (default: never)', positiveInt)
    .option('--json', 'print JSON (id, name, roles, token)')
    .action(async (o: { role: string[]; name: string; expiresInDays?: number; json?: boolean }) => {
      const r = await api().request<TokenView & { token: string }>('POST', '/api/v1/tokens', {
        name: o.name,
        roles: o.role,
        ...(o.expiresInDays ? { expiresInDays: o.expiresInDays } : {}),
      });
      print(r, !!o.json, () => `${r.token}\n`);
      if (!o.json)
        io.stderr(
          `created API token ${r.id} (${r.name}: ${r.roles.join(', ')}); store the secret now, it is not shown again\n`,
        );
    });
  tokens
    .command('list')
    .description('list API tokens (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await api().request<{ tokens: TokenView[] }>('GET', '/api/v1/tokens');
      print(
        r,
        !!o.json,
        () =>
          r.tokens
            .map(
              (t) =>
                `${t.id}  ${t.revokedAt ? 'revoked' : 'active '}  ${t.roles.join(',').padEnd(20)}  ${t.name}`,
            )
            .join('\n') + '\n',
      );
    });
  tokens
    .command('revoke <id>')
    .description('revoke an API token at once')
    .action(async (id: string) => {
      await api().request('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`);
      io.stdout(`revoked ${id}\n`);
    });

  const audit = program.command('audit').description('the hash-chained audit log');
  audit
    .command('verify')
    .description(
      'recompute the hash chain; exit 0 when intact, 5 when broken (naming the first broken entry)',
    )
    .option(
      '--offline',
      'read the database directly (DATABASE_URL, or the embedded data folder of a stopped server)',
    )
    .option('--json', 'print JSON')
    .action(async (o: { offline?: boolean; json?: boolean }) => {
      const r = o.offline
        ? await auditVerifyOffline(io.env)
        : await api().request<Verification>('GET', '/api/v1/audit/verify');
      print(r, !!o.json, () =>
        r.ok
          ? `OK: audit chain intact, ${r.entries} entries, head ${r.head ?? '(empty)'}\n`
          : `BROKEN: first broken entry #${r.brokenAt?.seq} (${r.brokenAt?.id}): ${r.brokenAt?.reason}; ${r.entries} entries checked before it\n`,
      );
      if (!r.ok) throw new CliError('', 5);
    });

  return program;
}
