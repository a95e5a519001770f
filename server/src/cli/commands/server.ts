import { CliError, unwrap } from '../api-client.js';
import type { RegisterCommands } from '../context.js';

/** Running the server and reading its state: start, migrate, status. */
export const registerServerCommands: RegisterCommands = (program, { io, api, print }) => {
  program
    .command('start')
    .description('run the control plane (embedded database unless DATABASE_URL is set)')
    .option(
      '--processes <n>',
      'server processes on this host sharing its ports: a number or auto, one a core (PAKAWAAZ_PROCESSES; needs DATABASE_URL and NATS_URL)',
    )
    .action(async (o: { processes?: string }) => {
      // The variable, so that the processes the supervisor starts read the same setting.
      if (o.processes !== undefined) process.env.PAKAWAAZ_PROCESSES = o.processes;
      await (await import('../../main.js')).main();
    });

  program
    .command('migrate')
    .description(
      'apply pending database migrations of every domain and exit (the server also migrates at start-up)',
    )
    .action(async () => {
      const { runMigrations } = await import('../offline.js');
      io.stdout(`${await runMigrations(io.env)}\n`);
    });

  program
    .command('status')
    .description('readiness of the running server')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      // 503 is an answer too (a dependency is down), with the same Readiness body as a 200.
      const r = await unwrap(
        api({ auth: false })
          .GET('/readyz')
          .then(({ data, error, response }) =>
            response.status === 503 && error
              ? { data: error, response: { status: 503, ok: true, headers: response.headers } }
              : { data, error, response },
          ),
      );
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
};
