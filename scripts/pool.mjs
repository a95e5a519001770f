// A tiny job pool for the repository's scripts (check.mjs, lint.mjs): two cores on the build machines, so their
// independent steps run two at a time.

/** Runs the jobs (functions returning promises) `width` at a time; resolves when all have settled. */
export async function pool(jobs, width = 2) {
  const queue = [...jobs];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await job();
  };
  await Promise.all(Array.from({ length: width }, worker));
}
