import { readFileSync } from 'node:fs';
import { Option } from '../commander.js';
import { roleOption } from '../roles.js';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import { positiveInt, type RegisterCommands } from '../context.js';
import { registerRolloutCommands } from './rollout.js';

type Institution = Schemas['Institution'];
type User = Schemas['User'];
type FactorReset = Schemas['FactorResetRequestView'];
type AddUserOptions = {
  username: string;
  password?: string;
  passwordStdin?: boolean;
  name?: string;
  designation?: string;
  institution?: string;
  email?: string;
  phone?: string;
  operator?: boolean;
  mustChangePassword?: boolean;
  role?: string[];
  json?: boolean;
};

const userLine = (u: User) =>
  `${u.id}  ${u.username.padEnd(20)}  ${u.kind.padEnd(8)}  ${(u.passwordClosed ? 'under-attack' : u.status).padEnd(12)}  totp:${u.factors.totp.padEnd(7)}  ${u.roles.join(',') || '-'}  ${u.displayName}`;
const resetLine = (r: FactorReset) =>
  `${r.id}  ${r.username.padEnd(20)}  ${r.status.padEnd(8)}  asked by ${r.requestedBy} at ${r.createdAt}  ${r.reason}`;

/** Institutions, officials and operators (identity's directory administration). */
export const registerUserCommands: RegisterCommands = (program, ctx) => {
  const { api, io, print } = ctx;
  const secret = (o: { password?: string; passwordStdin?: boolean }) => {
    const password = o.passwordStdin
      ? (io.stdin ?? (() => readFileSync(0, 'utf8')))().replace(/\r?\n$/, '')
      : o.password;
    if (!password) throw new CliError('Give --password or --password-stdin.', 2);
    return password;
  };

  const inst = program.command('institutions').description('ministries and departments (super-admin)');
  inst
    .command('add')
    .description('add a ministry, or a department with --parent')
    .requiredOption('--name <name>', 'institution name')
    .option('--parent <ministry>', 'the ministry a department belongs to (id or name)')
    .addOption(
      new Option('--phase <phase>', 'rollout phase').choices(['pilot', 'federal-ministries', 'nationwide']),
    )
    .addOption(
      new Option('--directory <scope>', 'whom its officials may look up').choices([
        'own',
        'hierarchy',
        'all',
      ]),
    )
    .option('--json', 'print JSON')
    .action(
      async (o: {
        name: string;
        parent?: string;
        phase?: Institution['rolloutPhase'];
        directory?: Institution['directoryScope'];
        json?: boolean;
      }) => {
        const parentId = o.parent ? (await findInstitution(o.parent)).id : undefined;
        const body = {
          name: o.name,
          ...(parentId ? { parentId } : {}),
          ...(o.phase ? { rolloutPhase: o.phase } : {}),
          ...(o.directory ? { directoryScope: o.directory } : {}),
        };
        const r = await unwrap(api().POST('/api/v1/institutions', { body }));
        print(r, !!o.json, () => `${r.id}\n`);
      },
    );
  inst
    .command('list')
    .description('list institutions')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(api().GET('/api/v1/institutions'));
      print(
        r,
        !!o.json,
        () =>
          r.institutions
            .map(
              (i) =>
                `${i.id}  ${i.kind.padEnd(10)}  ${(i.rolloutPhase ?? '-').padEnd(18)}  ${String(i.users ?? '-').padStart(5)} users  ${i.name}`,
            )
            .join('\n') + '\n',
      );
    });

  registerRolloutCommands(program, inst, ctx);

  async function findInstitution(nameOrId: string): Promise<Institution> {
    const r = await unwrap(api().GET('/api/v1/institutions'));
    const found = r.institutions.find((i) => i.id === nameOrId || i.name === nameOrId);
    if (!found) throw new CliError(`No institution "${nameOrId}".`, 1);
    return found;
  }

  const users = program.command('users').description('officials and NOC operators');
  users
    .command('add')
    .description('add an official (or an operator with --operator)')
    .requiredOption('--username <username>', 'sign-in name')
    .option('--password <password>', 'initial password (prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--name <display name>', 'full name (default: the username)')
    .option('--designation <designation>', 'e.g. "Deputy Secretary"')
    .option('--institution <name>', 'institution name or id (required for officials)')
    .option('--email <email>')
    .option('--phone <phone>')
    .option('--operator', 'a NOC operator rather than an official')
    .option('--must-change-password', 'the user chooses a new password at the first sign-in')
    .addOption(roleOption('operator role(s)'))
    .option('--json', 'print JSON')
    .action(async (o: AddUserOptions) => {
      const body = {
        kind: o.operator ? ('operator' as const) : ('official' as const),
        username: o.username,
        displayName: o.name ?? o.username,
        password: secret(o),
        ...(o.designation ? { designation: o.designation } : {}),
        ...(o.institution ? { institution: o.institution } : {}),
        ...(o.email ? { email: o.email } : {}),
        ...(o.phone ? { phone: o.phone } : {}),
        // The choices are the registered roles (roleOption); the server checks again.
        ...(o.role ? { roles: o.role as NonNullable<Schemas['CreateUser']['roles']> } : {}),
        ...(o.mustChangePassword ? { mustChangePassword: true } : {}),
      };
      const r = await unwrap(api().POST('/api/v1/users', { body }));
      print(r, !!o.json, () => `${r.id}\n`);
    });
  users
    .command('list')
    .description('list users')
    .option('--search <text>', 'username, name or designation contains')
    .addOption(new Option('--kind <kind>').choices(['official', 'operator']))
    .option('--under-attack', 'only accounts whose password step closed after the guess limit')
    .option('--limit <n>', 'page size', positiveInt, 50)
    .option('--json', 'print JSON')
    .action(
      async (o: {
        search?: string;
        kind?: 'official' | 'operator';
        underAttack?: boolean;
        limit: number;
        json?: boolean;
      }) => {
        const query = {
          limit: o.limit,
          ...(o.search ? { search: o.search } : {}),
          ...(o.kind ? { kind: o.kind } : {}),
          ...(o.underAttack ? { passwordClosed: 'true' as const } : {}),
        };
        const r = await unwrap(api().GET('/api/v1/users', { params: { query } }));
        print(r, !!o.json, () => `${r.users.map(userLine).join('\n')}\n${r.users.length} of ${r.total}\n`);
      },
    );
  const byName = async (username: string) =>
    (await unwrap(api().GET('/api/v1/users/{id}', { params: { path: { id: username } } }))).id;
  users
    .command('totp')
    .description('(removed) administrators no longer issue authenticators: see reset-factors')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new CliError(
        'Administrators no longer issue TOTP seeds (whoever holds the seed and a password reset holds the account). ' +
          'Use `pakawaaz users reset-factors --username <name> --reason <why>`: the user enrols a new authenticator ' +
          'at the next sign-in (or under My account).',
        2,
      );
    });
  users
    .command('reset-factors')
    .description(
      'remove the authenticator, recovery codes and passkeys (the user enrols anew at the next sign-in) and set a one-time password; for an operator with a national role, a request a second administrator approves',
    )
    .requiredOption('--username <username>')
    .requiredOption('--reason <reason>', 'why (shown to the approver, kept in the audit log)')
    .option(
      '--keep-password',
      'keep the current password (not for national roles, whose reset always sets one)',
    )
    .option('--json', 'print JSON')
    .action(async (o: { username: string; reason: string; keepPassword?: boolean; json?: boolean }) => {
      const r = await unwrap(
        api().POST('/api/v1/users/{id}/factor-reset', {
          params: { path: { id: await byName(o.username) } },
          body: { reason: o.reason, password: !o.keepPassword },
        }),
      );
      print(r, !!o.json, () => {
        if (r.status === 'pending')
          return (
            `${r.temporaryPasswordPart ?? ''}\n` +
            `(first half of the one-time password; request ${r.request?.id} waits for a second administrator: ` +
            `pakawaaz users approve-reset ${r.request?.id})\n`
          );
        return r.temporaryPassword ? `${r.temporaryPassword}\n` : `factors of ${o.username} removed\n`;
      });
    });
  users
    .command('factor-resets')
    .description('two-person factor resets waiting for approval')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(api().GET('/api/v1/factor-resets'));
      print(r, !!o.json, () =>
        r.requests.length ? `${r.requests.map(resetLine).join('\n')}\n` : 'none pending\n',
      );
    });
  users
    .command('approve-reset <id>')
    .description('approve another administrator’s factor reset; prints your half of the one-time password')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const r = await unwrap(api().POST('/api/v1/factor-resets/{id}/approve', { params: { path: { id } } }));
      print(r, !!o.json, () => `${r.temporaryPasswordPart ?? ''}\n`);
      if (!o.json)
        io.stderr(
          `factors of ${r.user.username} removed; the line above is the second half of the one-time password (the user types the requester's half first)\n`,
        );
    });
  users
    .command('reject-reset <id>')
    .description('reject a factor reset waiting for approval')
    .option('--reason <reason>')
    .action(async (id: string, o: { reason?: string }) => {
      const r = await unwrap(
        api().POST('/api/v1/factor-resets/{id}/reject', {
          params: { path: { id } },
          body: { ...(o.reason ? { reason: o.reason } : {}) },
        }),
      );
      io.stdout(`${resetLine(r)}\n`);
    });
  for (const [name, path, what] of [
    ['disable', 'disable', 'disable a user; every session ends at once'],
    ['enable', 'enable', 'enable a disabled user'],
    ['unlock', 'unlock', 'reopen a password step the guess limit closed, and clear the failure count'],
  ] as const) {
    users
      .command(name)
      .description(what)
      .requiredOption('--username <username>')
      .option('--reason <reason>')
      .action(async (o: { username: string; reason?: string }) => {
        const params = { path: { id: await byName(o.username) } };
        const body = { ...(o.reason ? { reason: o.reason } : {}) };
        const r = await unwrap(
          path === 'unlock'
            ? api().POST('/api/v1/users/{id}/unlock', { params })
            : api().POST(`/api/v1/users/{id}/${path}`, { params, body }),
        );
        io.stdout(`${userLine(r)}\n`);
      });
  }
  users
    .command('reset-password')
    .description(
      'set a temporary password the user must change at the next sign-in (printed on stdout); second factors stay',
    )
    .requiredOption('--username <username>')
    .action(async (o: { username: string }) => {
      const r = await unwrap(
        api().POST('/api/v1/users/{id}/password-reset', {
          params: { path: { id: await byName(o.username) } },
          body: {},
        }),
      );
      io.stdout(`${r.temporaryPassword}\n`);
    });
  users
    .command('revoke-sessions')
    .description('end every session of a user at once')
    .requiredOption('--username <username>')
    .action(async (o: { username: string }) => {
      const r = await unwrap(
        api().DELETE('/api/v1/users/{id}/sessions', { params: { path: { id: await byName(o.username) } } }),
      );
      io.stdout(`revoked ${r.revoked} session(s)\n`);
    });
};
