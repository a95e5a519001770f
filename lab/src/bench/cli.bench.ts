import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startServerProcess } from '../server-process/server-process.js';
import { procStatFields } from './load.js';

/**
 * Start-up of the `pakawaaz` CLI's API commands (target: ≤ 150 ms), against bare `node -e ''` measured in
 * the same run. Every round spawns each command once, in turn, so a busy machine slows all rows alike; the
 * figures are the median and the 90th percentile of wall time from spawn to exit, and the median CPU time
 * (user + system) the child used — the figure that holds when other work shares the cores. The last line
 * says whether `pakawaaz status` met the target (median wall time), next to the baseline of the same run.
 */
const CLI = fileURLToPath(new URL('../../../server/bin/pakawaaz.js', import.meta.url));
const PLATFORM = pathToFileURL(
  fileURLToPath(new URL('../../../platform/dist/index.js', import.meta.url)),
).href;
const ROUNDS = 15;
const TARGET_MS = 150;
/** The row the target is judged on: `pakawaaz status` with no server (row 2 below). */
const STATUS_ROW = 2;
const ADMIN_PASSWORD = 'quiet-harbour-lantern-42';

/** CPU seconds of this process's exited children (Linux: cutime + cstime of /proc/self/stat, in ticks). */
function childrenCpuMs(): number {
  const fields = procStatFields(readFileSync('/proc/self/stat', 'utf8'));
  return (Number(fields[13]) + Number(fields[14])) * 10; // USER_HZ is 100 on Linux
}

async function timeOnce(args: string[], env: Record<string, string>): Promise<{ wall: number; cpu: number }> {
  const cpuBefore = childrenCpuMs();
  const wall = await wallTime(args, env);
  return { wall, cpu: childrenCpuMs() - cpuBefore };
}

function wallTime(args: string[], env: Record<string, string>): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: 'ignore',
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
  });
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

export async function run(): Promise<void> {
  const server = await startServerProcess({ adminPassword: ADMIN_PASSWORD });
  try {
    const rows: [string, string[], Record<string, string>][] = [
      ["node -e '' (baseline)", ['-e', ''], {}],
      ['pakawaaz --help', [CLI, '--help'], {}],
      [
        'pakawaaz status (no server: ECONNREFUSED)',
        [CLI, 'status'],
        { PAKAWAAZ_URL: 'http://127.0.0.1:59999' },
      ],
      ['pakawaaz status (running server)', [CLI, 'status'], { PAKAWAAZ_URL: server.url }],
      // Another command module, and the registered roles read for --role's choices.
      ['pakawaaz tokens create --help', [CLI, 'tokens', 'create', '--help'], {}],
      // What every API command loaded before the light entry point, for scale.
      [
        'reference: node importing the platform kernel',
        ['--input-type=module', '-e', `await import(${JSON.stringify(PLATFORM)})`],
        {},
      ],
    ];
    const times = rows.map((): { wall: number; cpu: number }[] => []);
    for (let round = 0; round < ROUNDS; round++)
      for (const [i, [, args, env]] of rows.entries()) times[i]!.push(await timeOnce(args, env));
    const sorted = (i: number, k: 'wall' | 'cpu') => times[i]!.map((t) => t[k]).sort((a, b) => a - b);
    const baseline = quantile(sorted(0, 'wall'), 0.5);
    const baselineCpu = quantile(sorted(0, 'cpu'), 0.5);
    process.stdout.write(
      `node ${process.version}, ${ROUNDS} rounds, load average ${loadavg()[0]!.toFixed(1)} at the end\n`,
    );
    for (const [i, [name]] of rows.entries()) {
      const median = quantile(sorted(i, 'wall'), 0.5);
      const cpu = quantile(sorted(i, 'cpu'), 0.5);
      const verdict =
        i === 0 || name.startsWith('reference')
          ? ''
          : median <= TARGET_MS
            ? '  ok'
            : `  over ${TARGET_MS} ms`;
      process.stdout.write(
        `${name.padEnd(46)} median ${median.toFixed(0).padStart(5)} ms  min ${sorted(i, 'wall')[0]!.toFixed(0).padStart(4)} ms  p90 ${quantile(sorted(i, 'wall'), 0.9).toFixed(0).padStart(5)} ms  (+${(median - baseline).toFixed(0)} ms, x${(median / baseline).toFixed(1)} vs baseline)  CPU ${cpu.toFixed(0).padStart(4)} ms (+${(cpu - baselineCpu).toFixed(0)} ms)${verdict}\n`,
      );
    }
    const status = quantile(sorted(STATUS_ROW, 'wall'), 0.5);
    process.stdout.write(
      `target: \`pakawaaz status\` ≤ ${TARGET_MS} ms wall: ${status <= TARGET_MS ? 'met' : 'NOT met'} (median ${status.toFixed(0)} ms; \`node -e ''\` ${baseline.toFixed(0)} ms in the same run${status <= TARGET_MS ? '' : '; on a busy machine compare the CPU column and the minimum'})\n`,
    );
  } finally {
    await server.stop();
  }
}
