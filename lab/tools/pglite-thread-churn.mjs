// Stress for V8's WebAssembly tier-up race (nodejs/node#64500; docs/decisions/0012-node-24-lts.md): worker
// threads that each start PGlite, insert and query a few thousand rows, close it and end, one after another.
// Run several processes side by side, with and without the embedded database's flag, and count the deaths:
//   for i in 1 2 3; do node lab/tools/pglite-thread-churn.mjs 600 & done; wait
//   for i in 1 2 3; do node --liftoff-only lab/tools/pglite-thread-churn.mjs 600 & done; wait
// A process that survives prints how many PGlite lifetimes it ran; one that V8 kills prints V8's fatal error
// (or nothing, on a SIGSEGV) and exits with 133 or 139.
import { Worker } from 'node:worker_threads';

const seconds = Number(process.argv[2] ?? 300);
const pglite = import.meta.resolve('@electric-sql/pglite');
const body = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData).then(async ({ PGlite }) => {
  const db = new PGlite();
  await db.exec(\`create table t (id int primary key, v text);
    insert into t select g, md5(g::text) from generate_series(1, 2000) g\`);
  await db.query('select count(*) from t where v like $1', ['a%']);
  await db.close();
  parentPort.postMessage('done');
});
`;

const started = Date.now();
let lifetimes = 0;
while (Date.now() - started < seconds * 1000) {
  await new Promise((resolve, reject) => {
    const w = new Worker(body, { eval: true, workerData: pglite });
    w.once('message', () => w.terminate().then(resolve));
    w.once('error', reject);
  });
  lifetimes++;
}
console.log(
  `pid ${process.pid}: ${lifetimes} PGlite lifetimes, no crash (node ${process.version} ${process.execArgv.join(' ')})`,
);
