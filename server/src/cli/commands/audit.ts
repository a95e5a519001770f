import { CliError, unwrap, type Schemas } from '../api-client.js';
import type { RegisterCommands } from '../context.js';

/** The hash-chained audit log. */
export const registerAuditCommands: RegisterCommands = (program, { io, api, print }) => {
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
      const r: Schemas['AuditVerification'] = o.offline
        ? await (await import('../offline.js')).auditVerifyOffline(io.env)
        : await unwrap(api().GET('/api/v1/audit/verify'));
      print(r, !!o.json, () =>
        r.ok
          ? `OK: audit chain intact, ${r.entries} entries, head ${r.head ?? '(empty)'}\n`
          : `BROKEN: first broken entry #${r.brokenAt?.seq} (${r.brokenAt?.id}): ${r.brokenAt?.reason}; ${r.entries} entries checked before it\n`,
      );
      if (!r.ok) throw new CliError('', 5);
    });
};
