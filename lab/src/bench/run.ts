import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `npm run bench [filter]`: runs every `<package>/dist/bench/*.bench.js` in turn; each prints its figures
 * and ratios against a baseline measured in the same run.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const only = process.argv[2];
const files = readdirSync(root)
  .map((pkg) => `${root}${pkg}/dist/bench/`)
  .filter((dir) => existsSync(dir))
  .flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.bench.js'))
      .map((f) => `${dir}${f}`),
  )
  .filter((f) => !only || f.includes(only))
  .sort();
for (const f of files) {
  process.stdout.write(
    `\n## ${f.slice(root.length).replace(/\/dist\/bench\/|\.bench\.js$/g, (m) => (m.startsWith('/') ? ': ' : ''))}\n`,
  );
  const mod = (await import(pathToFileURL(f).href)) as { run(): Promise<void> };
  await mod.run();
}
