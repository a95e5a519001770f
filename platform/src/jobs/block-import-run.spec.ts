import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { Db } from '../db/database.js';
import { WorkerCrashedError } from '../workers/worker-pool.js';
import { blockImportInterrupted, commitBlocksInOrder, type BlockImportSteps } from './block-import-run.js';
import { JobLeaseLostError } from './job-lease.js';

type Block = { seq: number };
type Deferred = { resolve: (v: string) => void; reject: (e: Error) => void };

/**
 * Blocks 0..count-1 (seq with gaps, as stored blocks already committed are skipped), each parsed by a
 * promise the test settles when it likes; every step is recorded in `log`.
 */
function harness(count: number, chunksOf = (parsed: string) => [`${parsed}.a`, `${parsed}.b`]) {
  const log: string[] = [];
  const parses = new Map<number, Deferred>();
  let parsed = 0;
  let maxHeld = 0;
  const steps: BlockImportSteps<Block, string, string> = {
    next: (afterSeq) => {
      log.push(`next ${afterSeq}`);
      const seq = afterSeq < 0 ? 0 : afterSeq + 2;
      return Promise.resolve(seq < 2 * count ? { seq } : undefined);
    },
    parse: (block) =>
      new Promise<string>((resolve, reject) => {
        log.push(`parse ${block.seq}`);
        // Blocks parsing or parsed whose last chunk has not committed yet: what the run holds in memory.
        const committed = log.filter((l) => l.startsWith('commit') && l.endsWith('.b')).length;
        maxHeld = Math.max(maxHeld, ++parsed - committed);
        parses.set(block.seq, { resolve, reject });
      }),
    chunks: chunksOf,
    commit: (chunk) => Promise.resolve(void log.push(`commit ${chunk}`)),
  };
  const turns = { n: 0 };
  const database = { backgroundTurn: () => Promise.resolve(void turns.n++) };
  return { log, parses, steps, database, turns, maxHeld: () => maxHeld };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((r) => setImmediate(r));

describe('commitBlocksInOrder', () => {
  it('commits every chunk of every block in order, whatever order the parses finish in', async () => {
    const h = harness(5);
    let done = false;
    const run = commitBlocksInOrder(h.database, new AbortController().signal, h.steps, 3).finally(
      () => (done = true),
    );
    // The parses under way end last block first: their commits wait for the earlier ones'.
    while (!done) {
      await settle();
      for (const seq of [...h.parses.keys()].sort((a, b) => b - a)) {
        h.parses.get(seq)!.resolve(`b${seq}`);
        h.parses.delete(seq);
        await settle();
      }
    }
    expect(await run).toBe('done');
    expect(h.log.filter((l) => l.startsWith('commit'))).toEqual(
      [0, 2, 4, 6, 8].flatMap((s) => [`commit b${s}.a`, `commit b${s}.b`]),
    );
    expect(h.turns.n).toBe(10); // a background turn before each chunk
    expect(h.log.filter((l) => l.startsWith('next'))).toEqual(
      ['next -1', 'next 0', 'next 2', 'next 4', 'next 6', 'next 8'], // each read after the last one's seq
    );
  });

  it('parses at most `inFlight` blocks ahead: the next is read only once the oldest has committed', async () => {
    const h = harness(6);
    const run = commitBlocksInOrder(h.database, new AbortController().signal, h.steps, 2);
    await settle();
    expect(h.log).toEqual(['next -1', 'parse 0', 'next 0', 'parse 2']); // waiting for block 0
    h.parses.get(2)!.resolve('b2');
    await settle();
    expect(h.log.at(-1)).toBe('parse 2'); // a later block done does not let more in
    h.parses.get(0)!.resolve('b0');
    await settle();
    expect(h.log.slice(4)).toEqual([
      ...['commit b0.a', 'commit b0.b', 'next 2', 'parse 4'], // block 0 out, block 4 in
      ...['commit b2.a', 'commit b2.b', 'next 4', 'parse 6'], // block 2 was parsed already
    ]);
    for (const seq of [4, 6, 8, 10]) {
      h.parses.get(seq)!.resolve(`b${seq}`);
      await settle();
    }
    expect(await run).toBe('done');
    expect(h.maxHeld()).toBe(2);
  });

  it("throws a parse's failure when its block's turn comes, after the blocks before it committed", async () => {
    const h = harness(4);
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const run = commitBlocksInOrder(h.database, new AbortController().signal, h.steps, 3);
      await settle();
      h.parses.get(2)!.reject(new Error('line 7: bad IMSI'));
      h.parses.get(4)!.reject(new Error('line 9: bad IMSI')); // never awaited: marked handled
      await settle();
      expect(h.log.some((l) => l.startsWith('commit'))).toBe(false);
      h.parses.get(0)!.resolve('b0');
      await expect(run).rejects.toThrow('line 7: bad IMSI');
      await settle();
      expect(h.log.filter((l) => l.startsWith('commit'))).toEqual(['commit b0.a', 'commit b0.b']);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('stops at once when halt aborts: no chunk, block or read after it', async () => {
    const halt = new AbortController();
    const h = harness(5);
    h.steps = {
      ...h.steps,
      commit: (chunk) => {
        h.log.push(`commit ${chunk}`);
        if (chunk === 'b0.a') halt.abort(); // the server stops during the first chunk
        return Promise.resolve();
      },
    };
    const run = commitBlocksInOrder(h.database, halt.signal, h.steps, 2);
    await settle();
    h.parses.get(2)!.resolve('b2');
    h.parses.get(0)!.resolve('b0');
    expect(await run).toBe('halted');
    expect(h.log).toEqual(['next -1', 'parse 0', 'next 0', 'parse 2', 'commit b0.a']);
  });

  it('halts without committing a block whose parse ends after the halt', async () => {
    const halt = new AbortController();
    const h = harness(1);
    const run = commitBlocksInOrder(h.database, halt.signal, h.steps);
    await settle();
    halt.abort();
    h.parses.get(0)!.resolve('b0');
    expect(await run).toBe('halted');
    expect(h.log).toEqual(['next -1', 'parse 0', 'next 0']);
  });

  it('does not parse a block whose read ended after the halt', async () => {
    const halt = new AbortController();
    const h = harness(3);
    const next = h.steps.next;
    h.steps = {
      ...h.steps,
      next: async (afterSeq) => {
        const block = await next(afterSeq);
        if (afterSeq === 0) halt.abort(); // the server stops while the second block is read
        return block;
      },
    };
    const run = commitBlocksInOrder(h.database, halt.signal, h.steps, 3);
    await settle();
    h.parses.get(0)!.resolve('b0');
    expect(await run).toBe('halted');
    expect(h.log).toEqual(['next -1', 'parse 0', 'next 0']);
  });

  it('is done at once when no block is left to commit', async () => {
    const h = harness(0);
    expect(await commitBlocksInOrder(h.database, new AbortController().signal, h.steps)).toBe('done');
    expect(h.log).toEqual(['next -1']);
  });
});

describe('blockImportInterrupted', () => {
  const job = { attempts: 1 };
  function fixture() {
    const logger = pino({ level: 'silent' });
    const tx = {} as Db;
    const jobs = { giveBack: vi.fn((_id: string, also?: (tx: Db) => Promise<void>) => also!(tx)) };
    const on = {
      what: 'SIM import',
      job: vi.fn(() => Promise.resolve<typeof job | undefined>(job)),
      failure: vi.fn((_j: typeof job, errorId: string, crashed: WorkerCrashedError | undefined) =>
        crashed ? `crashed ${errorId}` : `interrupted ${errorId}`,
      ),
      fail: vi.fn(() => Promise.resolve()),
      update: vi.fn(() => Promise.resolve()),
    };
    return { logger, jobs, on, tx };
  }

  it('gives the job back with its attempt counted and its failure, on any error but a dead worker', async () => {
    const f = fixture();
    await blockImportInterrupted(f.jobs, f.logger, 'j1', new Error('connection reset'), f.on);
    expect(f.jobs.giveBack).toHaveBeenCalledWith('j1', expect.any(Function));
    const [, values] = f.on.update.mock.calls[0] as unknown as [Db, { attempts: number; failure: string }];
    expect(values.attempts).toBe(2);
    expect(values.failure).toMatch(/^interrupted [0-9a-f-]{36}$/);
    expect(f.on.fail).not.toHaveBeenCalled();
  });

  it('fails the job for good when a worker thread died', async () => {
    const f = fixture();
    const crash = new WorkerCrashedError('a sim-import worker thread stopped: exit code 1');
    await blockImportInterrupted(f.jobs, f.logger, 'j1', crash, f.on);
    expect(f.on.failure.mock.calls[0]![2]).toBe(crash);
    expect(f.on.fail).toHaveBeenCalledWith(job, expect.stringMatching(/^crashed /));
    expect(f.jobs.giveBack).not.toHaveBeenCalled();
  });

  it('writes nothing when the run lost its lease (another process runs the job)', async () => {
    const f = fixture();
    await blockImportInterrupted(f.jobs, f.logger, 'j1', new JobLeaseLostError('j1'), f.on);
    expect([f.on.job, f.on.fail, f.jobs.giveBack].map((m) => m.mock.calls.length)).toEqual([0, 0, 0]);
  });

  it('never throws, even when the job cannot be read or written', async () => {
    const f = fixture();
    f.jobs.giveBack.mockRejectedValueOnce(new JobLeaseLostError('j1'));
    await expect(
      blockImportInterrupted(f.jobs, f.logger, 'j1', new Error('x'), f.on),
    ).resolves.toBeUndefined();
    f.on.job.mockRejectedValueOnce(new Error('database down'));
    await expect(
      blockImportInterrupted(f.jobs, f.logger, 'j1', new Error('x'), f.on),
    ).resolves.toBeUndefined();
    expect(f.jobs.giveBack).toHaveBeenCalledTimes(1);
  });
});
