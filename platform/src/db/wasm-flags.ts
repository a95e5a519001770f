/**
 * The Node flags a process that runs the embedded database starts with.
 *
 * PGlite is PostgreSQL compiled to WebAssembly. V8 (Node 22 and later) compiles hot WebAssembly functions a
 * second time, optimised, on background threads ("tier-up"), and its process-wide registry of JIT code pages
 * can lose track of such code when the module's thread ends: the whole process dies, with `Check failed:
 * jit_page.has_value()` on one of V8's threads or a bare SIGSEGV (nodejs/node#64500; reproduced here on Node
 * 24.22 by lab/tools/pglite-thread-churn.mjs). `--liftoff-only` keeps WebAssembly on V8's baseline compiler: no
 * optimising tier-up (V8 calls the flag one for testing; it does not stop V8's other background work, such as
 * JavaScript's concurrent compiles). docs/decisions/0012-node-24-lts.md has the evidence and its limits.
 * Its price, measured by lab/src/bench/embedded-wasm.bench.ts on Node 24 (2 cores, median of 3 processes each):
 * PGlite starts 15 % faster (no optimising compile competing for the cores), single-row inserts and key lookups
 * take 9–11 % longer, and scans that keep PostgreSQL's executor busy up to 1.8× as long. The embedded database
 * serves demos and small sites; PostgreSQL, which runs no WebAssembly, serves production.
 *
 * V8 reads it at start-up only (v8.setFlagsFromString later did not take effect), so it is given to `node`:
 * `npm start`, `npm run pakawaaz`, `npm run openapi` and `npm run bench` do, the `pakawaaz` command's shebang
 * does, every server the tests and the lab spawn does, and so do vitest's workers (vitest.config.ts), which
 * start and stop many embedded databases.
 */
export const EMBEDDED_DATABASE_NODE_FLAGS: readonly string[] = ['--liftoff-only'];

/** Node's major version; V8's tier-up race exists from Node 22 on. */
const nodeMajor = (version: string) => Number(/^v(\d+)\./.exec(version)?.[1] ?? 0);

/**
 * The flags of EMBEDDED_DATABASE_NODE_FLAGS this process lacks where they matter (Node 22 and later), for a
 * warning that says how to start it; none when started right.
 */
export function missingWasmFlags(
  execArgv: readonly string[] = process.execArgv,
  version: string = process.version,
): string[] {
  if (nodeMajor(version) < 22) return [];
  const given = new Set(execArgv.map((a) => a.replace(/_/g, '-'))); // V8 takes --liftoff_only too
  return EMBEDDED_DATABASE_NODE_FLAGS.filter((f) => !given.has(f));
}
