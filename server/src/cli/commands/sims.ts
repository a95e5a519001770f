import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Option } from '../commander.js';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import { followJob } from '../job-progress.js';
import { positiveInt, type CliContext, type RegisterCommands } from '../context.js';

type ImportJob = Schemas['SimImportJob'];

const follow = (ctx: CliContext, id: string, tty: boolean): Promise<ImportJob> =>
  followJob(ctx, () => unwrap(ctx.api().GET('/api/v1/sims/imports/{id}', { params: { path: { id } } })), tty);

function summary(job: ImportJob, maxErrors: number): string {
  const lines = [
    `import ${job.id}: ${job.status}${job.failure ? ` (${job.failure})` : ''}`,
    `  imported ${job.imported}, duplicates ${job.duplicates} (already present, unchanged), conflicts ${job.conflicts}, invalid ${job.invalid}, of ${job.totalRows} rows`,
  ];
  for (const e of job.errors.slice(0, maxErrors))
    lines.push(`  line ${e.line}${e.imsi ? ` (${e.imsi})` : ''}: ${e.reason}`);
  if (job.errors.length > maxErrors) lines.push(`  … and ${job.errors.length - maxErrors} more (see --json)`);
  return `${lines.join('\n')}\n`;
}

/** SIM inventory: bulk import of vendor batches, listing, KEK rotation. */
export const registerSimCommands: RegisterCommands = (program, ctx) => {
  const sims = program
    .command('sims')
    .description('SIM inventory (K/OPc are encrypted at rest and never shown)');
  sims
    .command('import <file>')
    .description(
      'import a vendor batch (CSV: imsi,iccid,ki,opc|op[,msisdn,batch], or a Magma NMS export) with progress; exit 1 if any row was rejected',
    )
    .option('--json', 'print the final job as JSON')
    .option('--max-errors <n>', 'row errors to print', positiveInt, 20)
    .option('--no-wait', 'start the import and print the job id without waiting')
    .action(async (file: string, o: { json?: boolean; maxErrors: number; wait: boolean }) => {
      const csv = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new CliError(`Cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, 2);
      });
      const started = await unwrap(
        ctx.api().POST('/api/v1/sims/imports', {
          params: { query: { filename: path.basename(file) } },
          body: csv,
          bodySerializer: (b: string) => b,
          headers: { 'content-type': 'text/csv' },
        }),
      );
      if (!o.wait) return ctx.io.stdout(`${started.id}\n`);
      const job = await follow(ctx, started.id, process.stderr.isTTY === true);
      ctx.print(job, !!o.json, () => summary(job, o.maxErrors));
      if (job.status === 'failed' || job.conflicts + job.invalid > 0) throw new CliError('', 1);
    });
  sims
    .command('list')
    .description('list SIMs (never their secrets)')
    .option('--search <digits>', 'IMSI, ICCID or MSISDN prefix')
    .addOption(new Option('--status <status>').choices(['available', 'assigned', 'retired']))
    .option('--limit <n>', 'at most this many', positiveInt, 100)
    .option('--json', 'print JSON')
    .action(
      async (o: {
        search?: string;
        status?: 'available' | 'assigned' | 'retired';
        limit: number;
        json?: boolean;
      }) => {
        const query = {
          limit: o.limit,
          ...(o.search ? { search: o.search } : {}),
          ...(o.status ? { status: o.status } : {}),
        };
        const r = await unwrap(ctx.api().GET('/api/v1/sims', { params: { query } }));
        ctx.print(
          r,
          !!o.json,
          () =>
            r.sims
              .map(
                (s) =>
                  `${s.imsi}  ${(s.iccid ?? '-').padEnd(20)}  ${(s.msisdn ?? '-').padEnd(15)}  ${s.status.padEnd(9)}  ${s.batch ?? ''}`,
              )
              .join('\n') + '\n',
        );
      },
    );
  sims
    .command('rotate-kek')
    .description('re-wrap every SIM data key under a new key-encryption key (security-officer)')
    .action(async () => {
      const r = await unwrap(ctx.api().POST('/api/v1/sims/kek/rotate'));
      ctx.io.stdout(`active KEK ${r.kekId}; re-wrapped ${r.rewrapped} data keys\n`);
    });
};
