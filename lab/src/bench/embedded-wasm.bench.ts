import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EMBEDDED_DATABASE_NODE_FLAGS } from '@pakawaaz/platform';

/*
 * What the embedded database's Node flags (platform/src/db/wasm-flags.ts: WebAssembly on V8's baseline
 * compiler only, which avoids V8's tier-up crash) cost: the same PGlite workload in fresh processes, with V8's
 * default (the baseline of this run) and with the flags, the order alternating. PGlite runs on the processes'
 * main thread here (the server gives it a worker thread: the same compiled code, with the same flags).
 */
const WORKLOAD = fileURLToPath(new URL('./embedded-wasm-workload.js', import.meta.url));
const RUNS = Number(process.env.BENCH_WASM_RUNS ?? 3);

type Timings = { start: number; inserts: number; lookups: number; scans: number; rows: number };

async function once(flags: readonly string[]): Promise<Timings> {
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, WORKLOAD], { timeout: 600_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Timings;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<void> {
  const variants: [string, readonly string[]][] = [
    ['V8 default (baseline)', []],
    [EMBEDDED_DATABASE_NODE_FLAGS.join(' '), EMBEDDED_DATABASE_NODE_FLAGS],
  ];
  const results = new Map<string, Timings[]>(variants.map(([name]) => [name, []]));
  // The order alternates each round, so a cold file cache or a busy moment does not always land on one.
  for (let r = 0; r < RUNS; r++)
    for (const [name, flags] of r % 2 ? [...variants].reverse() : variants)
      results.get(name)!.push(await once(flags));
  const base = results.get(variants[0]![0])!;
  const rows = base[0]!.rows;
  process.stdout.write(
    `PGlite, ${rows} rows, median of ${RUNS} fresh processes each (node ${process.version}):\n`,
  );
  for (const [name] of variants) {
    const t = results.get(name)!;
    const cell = (k: keyof Timings) => {
      const m = median(t.map((x) => x[k]));
      return `${m.toFixed(0).padStart(6)} ms (x${(m / median(base.map((x) => x[k]))).toFixed(2)})`;
    };
    process.stdout.write(
      `${name.padEnd(24)} start ${cell('start')}  ${rows} inserts ${cell('inserts')}  ${rows} lookups ${cell('lookups')}  50 scans ${cell('scans')}\n`,
    );
  }
}
