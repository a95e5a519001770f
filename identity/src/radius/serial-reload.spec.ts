import { describe, expect, it } from 'vitest';
import { serialReload } from './serial-reload.js';

/** A load whose reads finish when the test says, recording what each run read and applied. */
function table() {
  let rows = 'v1';
  let applied = '';
  const pending: Array<() => void> = [];
  let started = 0;
  const load = async () => {
    started++;
    const read = rows;
    await new Promise<void>((resolve) => pending.push(resolve));
    applied = read;
  };
  const finish = async () => {
    pending.shift()?.();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return {
    load,
    finish,
    set: (v: string) => (rows = v),
    applied: () => applied,
    started: () => started,
    pending: () => pending.length,
  };
}

describe('serialReload', () => {
  it('a reload asked while an older one reads waits for it, then reads again: the newer rows stay', async () => {
    const t = table();
    const reload = serialReload(t.load);
    const first = reload(); // a change event's reload reads v1 …
    t.set('v2'); // … the rotation commits …
    const second = reload(); // … and its own reload must not be overtaken by the first
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
    const a = reload();
    const b = reload();
    expect(a).toBe(b);
    await t.finish();
    await t.finish();
    await Promise.all([a, b]);
    expect(t.started()).toBe(2);
  });

  it('a failed reload does not stop the next one', async () => {
    let calls = 0;
    const reload = serialReload(() => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('database gone')) : Promise.resolve();
    });
    const first = reload();
    const second = reload();
    await expect(first).rejects.toThrow('database gone');
    await expect(second).resolves.toBeUndefined();
    expect(calls).toBe(2);
    await expect(reload()).resolves.toBeUndefined();
    expect(calls).toBe(3);
  });
});
