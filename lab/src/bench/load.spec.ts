import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { procStatFields, processCpuSplit } from './load.js';

describe('procStatFields (proc(5): pid (comm) state ppid …)', () => {
  it('splits after the last ") ", so a command holding ") " does not shift the fields', () => {
    const line = '4242 (web) (x) S 17 4242 4242 0 -1 4194304 90 0 0 0 250 75 3 4 20 0 1 0 100 0 0';
    const f = procStatFields(line);
    expect(f[0]).toBe('S');
    expect(f[1]).toBe('17');
    expect([f[11], f[12], f[13], f[14]]).toEqual(['250', '75', '3', '4']);
    expect(procStatFields('garbage')).toEqual([]);
  });

  it("reads this process's own line: its parent and a CPU time", () => {
    expect(Number(procStatFields(readFileSync('/proc/self/stat', 'utf8'))[1])).toBe(process.ppid);
    expect(processCpuSplit(process.pid).user).toBeGreaterThan(0);
  });
});
