import { afterEach, describe, expect, it, vi } from 'vitest';
import { OsReleasesFacts, SNAPSHOT_TTL_MS } from './os-releases.facts.js';
import { NATIONAL_FLOOR } from './registry-rules.js';
import type { RegistryRepository } from './registry.repository.js';

const KEY = 'a1'.repeat(32);

/** A repository whose reads are counted and can be made to fail or to wait. */
function fakeRepo() {
  const state = { reads: 0, fail: false, floor: 202401, gate: null as Promise<void> | null };
  const repo = {
    keys: async () => {
      state.reads++;
      await state.gate;
      if (state.fail) throw new Error('connection terminated');
      return [{ model: 'shiba', digest: KEY, status: 'active' }];
    },
    models: () => Promise.resolve([{ codename: 'shiba', name: 'Pixel 8' }]),
    floors: () => Promise.resolve([{ scope: NATIONAL_FLOOR, minimumPatchLevel: state.floor }]),
  } as unknown as RegistryRepository;
  return { state, repo };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the registry snapshot', () => {
  it('is read once for all the questions that find it expired (single flight)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { state, repo } = fakeRepo();
    const facts = new OsReleasesFacts(repo);
    await facts.bootKeys();
    expect(state.reads).toBe(1);
    vi.setSystemTime(Date.now() + SNAPSHOT_TTL_MS + 1);
    let open!: () => void;
    state.gate = new Promise((r) => (open = r));
    state.floor = 202406;
    const answers = Promise.all(Array.from({ length: 50 }, () => facts.minimumPatchLevel()));
    open();
    expect(await answers).toEqual(Array(50).fill(202406));
    expect(state.reads).toBe(2);
  });

  it('serves the last snapshot, with a warning, when a reload fails; then reads again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { state, repo } = fakeRepo();
    const warn = vi.fn();
    const facts = new OsReleasesFacts(repo, { warn } as never);
    expect(await facts.isOurBootKey('Pixel 8', KEY)).toBe(true);
    vi.setSystemTime(Date.now() + SNAPSHOT_TTL_MS + 1);
    state.fail = true;
    const answers = await Promise.all([facts.isOurBootKey('shiba', KEY), facts.minimumPatchLevel()]);
    expect(answers).toEqual([true, 202401]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(state.reads).toBe(2);
    state.fail = false;
    state.floor = 202406;
    expect(await facts.minimumPatchLevel()).toBe(202406);
  });

  it('fails when the very first read fails (there is nothing to serve), and retries next time', async () => {
    const { state, repo } = fakeRepo();
    const facts = new OsReleasesFacts(repo);
    state.fail = true;
    await expect(facts.bootKeys()).rejects.toThrow('connection terminated');
    state.fail = false;
    expect(await facts.bootKeys()).toEqual([KEY]);
  });
});
