import { describe, expect, it } from 'vitest';
import { EMBEDDED_DATABASE_NODE_FLAGS, missingWasmFlags } from './wasm-flags.js';

describe('the embedded database’s Node flags', () => {
  it('keeps WebAssembly on the baseline compiler (no background tier-up to race)', () => {
    expect(EMBEDDED_DATABASE_NODE_FLAGS).toEqual(['--liftoff-only']);
  });

  it('names the flags a Node 22+ process was started without, and none once given', () => {
    expect(missingWasmFlags([], 'v24.22.3')).toEqual(['--liftoff-only']);
    expect(missingWasmFlags(['--inspect'], 'v22.1.0')).toEqual(['--liftoff-only']);
    expect(missingWasmFlags(['--inspect', '--liftoff-only'], 'v24.22.3')).toEqual([]);
    expect(missingWasmFlags(['--liftoff_only'], 'v24.22.3')).toEqual([]); // V8's other spelling
  });

  it('asks nothing of Node 20, whose V8 predates the race', () => {
    expect(missingWasmFlags([], 'v20.19.5')).toEqual([]);
  });

  it('is what this test worker was started with (vitest.config.ts gives it to every worker)', () => {
    for (const flag of EMBEDDED_DATABASE_NODE_FLAGS) expect(process.execArgv).toContain(flag);
  });
});
