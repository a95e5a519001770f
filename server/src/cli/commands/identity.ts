import { readFileSync } from 'node:fs';
import { roleOption } from '../roles.js';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import { positiveInt, type RegisterCommands } from '../context.js';
import { printable } from './radius-log.js';

type LoginStep = Schemas['LoginStep'];
type TokenView = Schemas['ApiToken'];

/** A UTC time to the minute, as the token table shows it. */
const minute = (iso: string | null | undefined, none: string) =>
  iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : none;

/** `tokens list`: one token a line, in aligned columns under a header (times in UTC). */
export function tokenTable(tokens: TokenView[], now = new Date().toISOString()): string {
  if (tokens.length === 0) return 'no API tokens\n';
  const state = (t: TokenView) =>
    t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt <= now ? 'expired' : 'active';
  const rows = [
    ['ID', 'STATE', 'ROLES', 'OWNER', 'EXPIRES (UTC)', 'LAST USED (UTC)', 'NAME'],
    ...tokens.map((t) => [
      t.id,
      state(t),
      t.roles.join(','),
      t.owner ? printable(t.owner) : '(system)',
      minute(t.expiresAt, 'never'),
      minute(t.lastUsedAt, 'never'),
      printable(t.name),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return (
    rows
      .map((row) =>
        row
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
type LoginOptions = {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  newPasswordStdin?: boolean;
  totp?: string;
  continue?: string;
};

/** Operator sign-in and API tokens. */
export const registerIdentityCommands: RegisterCommands = (program, { io, api, print }) => {
  const auth = () => api({ auth: false });

  /** One or two lines of standard input: the (one-time) password, then with --new-password-stdin the new one. */
  const secrets = (o: LoginOptions): { password: string; next: string | undefined } => {
    const lines = o.passwordStdin
      ? (io.stdin ?? (() => readFileSync(0, 'utf8')))().split(/\r?\n/)
      : [o.password ?? ''];
    const password = lines[0] ?? '';
    if (!password) throw new CliError('Give --password or --password-stdin.', 2);
    if (o.newPasswordStdin && !o.passwordStdin)
      throw new CliError(
        '--new-password-stdin reads the new password as the second line of --password-stdin.',
        2,
      );
    return { password, next: o.newPasswordStdin ? lines[1] || undefined : undefined };
  };

  /** The new password, typed twice on the terminal; null without a terminal. */
  async function askNewPassword(): Promise<string | null> {
    // Loaded on this rare path only (node:tty): `tokens` and `login` stay light.
    const { askHidden } = await import('../tty-prompt.js');
    const first = await askHidden(
      'This password must be changed now. New password (at least 12 characters): ',
    ).catch(() => null);
    if (first === null) return null;
    if ((await askHidden('Repeat the new password: ').catch(() => null)) !== first)
      throw new CliError('The two new passwords differ: run pakawaaz login again.', 2);
    return first;
  }

  /** The steps a CLI can take: TOTP, the forced password change, and the new authenticator's enrolment. */
  async function signIn(o: LoginOptions): Promise<LoginStep> {
    if (o.continue) {
      if (!o.totp)
        throw new CliError('--continue needs --totp with the first code of the new authenticator.', 2);
      return unwrap(
        auth().POST('/api/v1/auth/login/totp-enrolment', { body: { ticket: o.continue, code: o.totp } }),
      );
    }
    if (!o.username) throw new CliError('Give --username.', 2);
    const { password, next } = secrets(o);
    let step = await unwrap(auth().POST('/api/v1/auth/login', { body: { username: o.username, password } }));
    if (step.status === 'password_change_required') {
      const newPassword = next ?? (io.stdin ? null : await askNewPassword());
      if (!newPassword)
        throw new CliError(
          'This password must be changed before it can be used (a first start’s generated password, or an administrator’s reset). On a terminal `pakawaaz login` asks for the new one; without one, give the current password and the new one on two lines of --password-stdin with --new-password-stdin.',
          4,
        );
      const body = { ticket: step.ticket, newPassword };
      step = await unwrap(auth().POST('/api/v1/auth/login/password', { body }));
    }
    if (step.status === 'mfa_required' && step.factors.includes('totp')) {
      if (!o.totp) throw new CliError('This account has TOTP: add --totp with the current code.', 4);
      const body = { ticket: step.ticket, code: o.totp };
      step = await unwrap(auth().POST('/api/v1/auth/login/totp', { body }));
    }
    return step;
  }

  program
    .command('login')
    .description('sign in as a NOC operator and print an access token (for PAKAWAAZ_TOKEN)')
    .option('--username <username>', 'operator username')
    .option(
      '--password <password>',
      'password (prefer --password-stdin: arguments are visible to other users)',
    )
    .option('--password-stdin', 'read the password from standard input')
    .option(
      '--new-password-stdin',
      'after an administrator reset: standard input has the one-time password, then the new password',
    )
    .option('--totp <code>', 'the current 6-digit code, for an account with TOTP')
    .option(
      '--continue <ticket>',
      'finish enrolling the new authenticator an administrator’s factor reset asked for (with --totp)',
    )
    .action(async (o: LoginOptions) => {
      const step = await signIn(o);
      if (step.status === 'totp_enrolment_required') {
        io.stderr(
          'An administrator removed your second factors: set up a new authenticator now (nobody else has seen it).\n' +
            `Secret key: ${step.enrolment.secret}\n${step.enrolment.otpauthUri}\n` +
            `Add it to your authenticator app, then within 5 minutes run:\n  pakawaaz login --continue ${step.ticket} --totp <code>\n`,
        );
        throw new CliError('Not signed in yet: confirm the new authenticator with --continue.', 4);
      }
      if (step.status !== 'authenticated')
        throw new CliError(
          `This account needs a factor the CLI cannot provide (${step.status === 'mfa_required' ? step.factors.join(', ') : step.status}): use an API token.`,
          4,
        );
      if (step.recoveryCodes?.length)
        io.stderr(
          `Your recovery codes (each works once; shown only now):\n${step.recoveryCodes.join('\n')}\n`,
        );
      if (step.withheldRoles.length)
        io.stderr(
          `note: this token does not carry ${step.withheldRoles.join(', ')}: they need a passkey sign-in, or (operator MFA policy) a second factor first — see My account in the NOC\n`,
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
        // The choices are the registered roles (roleOption); the server checks again.
        roles: o.role as Schemas['CreateApiTokenRequest']['roles'],
        ...(o.expiresInDays ? { expiresInDays: o.expiresInDays } : {}),
      };
      const r = await unwrap(api().POST('/api/v1/tokens', { body }));
      print(r, !!o.json, () => `${r.token}\n`);
      if (!o.json)
        io.stderr(
          `created API token ${r.id} (${r.name}: ${r.roles.join(', ')}); store the secret now, it is not shown again\n`,
        );
    });
  tokens
    .command('list')
    .description(
      'list API tokens (never their secrets): state, roles, owner (whose current rights bound the token), expiry and last use',
    )
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(api().GET('/api/v1/tokens'));
      print(r, !!o.json, () => tokenTable(r.tokens));
    });
  tokens
    .command('revoke <id>')
    .description('revoke an API token at once')
    .action(async (id: string) => {
      await unwrap(api().DELETE('/api/v1/tokens/{id}', { params: { path: { id } } }));
      io.stdout(`revoked ${id}\n`);
    });
};
