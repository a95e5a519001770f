import { readFileSync } from 'node:fs';
import { roleOption } from '../roles.js';
import { CliError } from '../api-client.js';
import { positiveInt, type RegisterCommands } from '../context.js';

type LoginStep = {
  status: 'authenticated' | 'mfa_required' | 'password_change_required';
  accessToken?: string;
  ticket?: string;
  factors?: string[];
  withheldRoles?: string[];
};
type TokenView = { id: string; name: string; roles: string[]; revokedAt: string | null };

/** Operator sign-in and API tokens. */
export const registerIdentityCommands: RegisterCommands = (program, { io, api, print }) => {
  program
    .command('login')
    .description('sign in as a NOC operator and print an access token (for PAKAWAAZ_TOKEN)')
    .requiredOption('--username <username>', 'operator username')
    .option(
      '--password <password>',
      'password (prefer --password-stdin: arguments are visible to other users)',
    )
    .option('--password-stdin', 'read the password from standard input')
    .option('--totp <code>', 'the current 6-digit code, for an account with TOTP')
    .action(async (o: { username: string; password?: string; passwordStdin?: boolean; totp?: string }) => {
      const password = o.passwordStdin
        ? (io.stdin ?? (() => readFileSync(0, 'utf8')))().replace(/\r?\n$/, '')
        : o.password;
      if (!password) throw new CliError('Give --password or --password-stdin.', 2);
      let step = await api().request<LoginStep>(
        'POST',
        '/api/v1/auth/login',
        { username: o.username, password },
        { auth: false },
      );
      if (step.status === 'mfa_required' && step.factors?.includes('totp')) {
        if (!o.totp) throw new CliError('This account has TOTP: add --totp with the current code.', 4);
        step = await api().request<LoginStep>(
          'POST',
          '/api/v1/auth/login/totp',
          { ticket: step.ticket, code: o.totp },
          { auth: false },
        );
      }
      if (step.status === 'password_change_required')
        throw new CliError(
          'An administrator reset this password: sign in once in the NOC to choose a new one.',
          4,
        );
      if (step.status !== 'authenticated' || !step.accessToken)
        throw new CliError(
          `This account needs a factor the CLI cannot provide (${(step.factors ?? []).join(', ')}): use an API token.`,
          4,
        );
      if (step.withheldRoles?.length)
        io.stderr(
          `note: ${step.withheldRoles.join(', ')} need a passkey sign-in (NOC); this token does not carry them\n`,
        );
      io.stdout(`${step.accessToken}\n`);
    });

  const tokens = program.command('tokens').description('API tokens for automation (super-admin)');
  tokens
    .command('create')
    .description('create an API token and print its secret (shown once)')
    .addOption(roleOption('role(s) the token carries').makeOptionMandatory())
    .option('--name <name>', 'what the token is for', 'automation')
    .option('--expires-in-days <days>', 'expiry in days (default: never)', positiveInt)
    .option('--json', 'print JSON (id, name, roles, token)')
    .action(async (o: { role: string[]; name: string; expiresInDays?: number; json?: boolean }) => {
      const body = {
        name: o.name,
        roles: o.role,
        ...(o.expiresInDays ? { expiresInDays: o.expiresInDays } : {}),
      };
      const r = await api().request<TokenView & { token: string }>('POST', '/api/v1/tokens', body);
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
};
