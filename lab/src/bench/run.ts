import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** `npm run bench`: runs every `*.bench.js` in this folder in turn; each prints its figures and ratios. */
const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv[2];
const files = (await readdir(dir))
  .filter((f) => f.endsWith('.bench.js') && (!only || f.includes(only)))
  .sort();
for (const f of files) {
  process.stdout.write(`\n## ${f.replace(/\.bench\.js$/, '')}\n`);
  const mod = (await import(pathToFileURL(`${dir}${f}`).href)) as { run(): Promise<void> };
  await mod.run();
}
