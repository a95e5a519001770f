import { CliError, unwrap, type Schemas } from '../api-client.js';
import type { RegisterCommands } from '../context.js';

type Verification = Schemas['AuditVerification'];

function describe(r: Verification): string {
  const cp = r.checkpoints?.latest;
  const anchored = cp
    ? `; latest signed checkpoint ${cp.n} covers #${cp.seq} (${cp.at})`
    : '; no signed checkpoint yet';
  if (r.ok) return `OK: audit chain intact, ${r.entries} entries, head ${r.head ?? '(empty)'}${anchored}\n`;
  if (r.brokenAt)
    return `BROKEN: first broken entry #${r.brokenAt.seq} (${r.brokenAt.id}): ${r.brokenAt.reason}; ${r.entries} entries checked before it\n`;
  return `BROKEN: ${r.checkpointProblem?.reason ?? 'unknown'}: ${r.checkpointProblem?.message ?? ''}\n`;
}

/** The hash-chained audit log. */
export const registerAuditCommands: RegisterCommands = (program, { io, api, print }) => {
  const audit = program.command('audit').description('the hash-chained audit log');
  audit
    .command('verify')
    .description(
      'recompute the hash chain and check it against the signed checkpoints; exit 0 when intact, 5 when broken (naming the first broken entry, or the deleted or rewritten range)',
    )
    .option(
      '--offline',
      'read the database directly (DATABASE_URL, or the embedded data folder of a stopped server)',
    )
    .option('--json', 'print JSON')
    .action(async (o: { offline?: boolean; json?: boolean }) => {
      const r: Verification = o.offline
        ? await (await import('../offline.js')).auditVerifyOffline(io.env)
        : await unwrap(api().GET('/api/v1/audit/verify'));
      print(r, !!o.json, () => describe(r));
      if (!r.ok) throw new CliError('', 5);
    });
};
