import { describe, expect, it } from 'vitest';
import { serialReload } from './serial-reload.js';

const turns = async (n = 10) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

/** A load whose reads finish when the test says, recording what each run read and applied. */
function table() {
  let rows = 'v1';
  let applied = '';
  const pending: Array<() => void> = [];
  let started = 0;
  let running = 0;
  let most = 0;
  const load = async () => {
    started++;
    most = Math.max(most, ++running);
    const read = rows;
    await new Promise<void>((resolve) => pending.push(resolve));
    applied = read;
    running--;
  };
  const finish = async () => {
    pending.shift()?.();
    await turns();
  };
  return {
    load,
    finish,
    set: (v: string) => (rows = v),
    applied: () => applied,
    started: () => started,
    pending: () => pending.length,
    most: () => most,
  };
}

describe('serialReload', () => {
  it('a reload asked while an older one reads waits for it, then reads again: the newer rows stay', async () => {
    const t = table();
    const reload = serialReload(t.load);
    const first = reload(); // a change event's reload reads v1 …
    await turns();
    t.set('v2'); // … the rotation commits …
    const second = reload(); // … and its own reload must not be overtaken by the first
    await turns();
    expect(t.pending()).toBe(1);
    await t.finish();
    await first;
    expect(t.applied()).toBe('v1');
    await t.finish();
    await second;
    expect(t.applied()).toBe('v2');
    expect(t.started()).toBe(2);
  });

  it('calls made while one reload runs share the next one', async () => {
    const t = table();
    const reload = serialReload(t.load);
    void reload();
    await turns();
    const a = reload();
    const b = reload();
    expect(a).toBe(b);
    await t.finish();
    await t.finish();
    await Promise.all([a, b]);
    expect(t.started()).toBe(2);
  });

  it('never runs two loads at once, even for a call made as a load ends (in its continuation)', async () => {
    const t = table();
    const reload = serialReload(t.load);
    const first = reload();
    await turns();
    const queued = reload(); // waits for the first
    // A consumer that reloads again as soon as its reload is done: it lands between the first load's end and
    // the queued one's start.
    const again = first.then(() => reload());
    await t.finish();
    await t.finish();
    await t.finish();
    await Promise.all([first, queued, again]);
    expect(t.most()).toBe(1);
    expect(t.started()).toBeGreaterThanOrEqual(2);
  });

  it('a failed reload does not stop the next one', async () => {
    let calls = 0;
    const reload = serialReload(() => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('database gone')) : Promise.resolve();
    });
    const first = reload();
    await turns();
    const second = reload();
    await expect(first).rejects.toThrow('database gone');
    await expect(second).resolves.toBeUndefined();
    expect(calls).toBe(2);
    await expect(reload()).resolves.toBeUndefined();
    expect(calls).toBe(3);
  });
});
