import { describe, expect, it } from 'vitest';
import { MilenageArgumentError, milenageCommand, type MilenageCommandArgs } from './milenage-command.js';

// TS 35.208 Test Set 1 (sources in milenage.spec.ts).
const SET_1 = {
  k: '465b5ce8b199b49faa5f0a2ee238a6bc',
  rand: '23553cbe9637a89d218ae64dae47bf35',
  sqn: 'ff9bb4d0b607',
  amf: 'b9b9',
};
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
const OP = 'cdc202d5123e20f62b6d676ac72cb318';
const EXPECTED = {
  mac_a: '4a9ffac354dfafb3',
  mac_s: '01cfaf9ec4e871e9',
  res: 'a54211d5e3ba50bf',
  ck: 'b40ba9a3c58b2a05bbf0d987b21bf8cb',
  ik: 'f769bcd751044604127672711c6d3441',
  ak: 'aa689c648370',
  ak_star: '451e8beca43b',
};

/** The error a call throws, so a test can check its argument and message together. */
function errorOf(args: MilenageCommandArgs): MilenageArgumentError {
  try {
    milenageCommand(args);
  } catch (e) {
    if (e instanceof MilenageArgumentError) return e;
    throw e;
  }
  throw new Error('expected a MilenageArgumentError');
}

describe('milenageCommand', () => {
  it('prints Test Set 1 from OPc as lower-case hex, exactly the documented keys', () => {
    expect(milenageCommand({ ...SET_1, opc: OPC })).toStrictEqual(EXPECTED);
  });

  it('computes OPc from OP when OP is given instead', () => {
    expect(milenageCommand({ ...SET_1, op: OP })).toStrictEqual(EXPECTED);
  });

  it('accepts upper-case hex input', () => {
    const upper = Object.fromEntries(
      Object.entries({ ...SET_1, opc: OPC }).map(([k, v]) => [k, v.toUpperCase()]),
    );
    expect(milenageCommand(upper as MilenageCommandArgs)).toStrictEqual(EXPECTED);
  });

  it.each([
    ['k', { ...SET_1, k: SET_1.k.slice(2), opc: OPC }, '--k must be 32 hex digits (16 bytes), got 30 digits'],
    ['opc', { ...SET_1, opc: `${OPC}00` }, '--opc must be 32 hex digits (16 bytes), got 34 digits'],
    ['op', { ...SET_1, op: OP.slice(1) }, '--op must be 32 hex digits (16 bytes), got 31 digits'],
    ['rand', { ...SET_1, opc: OPC, rand: '' }, '--rand is required: 32 hex digits (16 bytes)'],
    [
      'sqn',
      { ...SET_1, opc: OPC, sqn: 'ff9bb4d0b6' },
      '--sqn must be 12 hex digits (6 bytes), got 10 digits',
    ],
    ['amf', { ...SET_1, opc: OPC, amf: '8000a' }, '--amf must be 4 hex digits (2 bytes), got 5 digits'],
  ])('names --%s and the expected length when it has the wrong length', (argument, args, message) => {
    const e = errorOf(args);
    expect([e.argument, e.message]).toEqual([argument, message]);
  });

  it('rejects non-hex characters without echoing the (secret) value', () => {
    const secret = 'zz5b5ce8b199b49faa5f0a2ee238a6bc';
    const e = errorOf({ ...SET_1, k: secret, opc: OPC });
    expect([e.argument, e.message]).toEqual([
      'k',
      '--k must be 32 hex digits (16 bytes); it contains non-hex characters',
    ]);
    expect(e.message).not.toContain(secret);
    expect(errorOf({ ...SET_1, opc: `0x${OPC.slice(2)}` }).argument).toBe('opc');
  });

  it('requires exactly one of --opc and --op', () => {
    expect(errorOf({ ...SET_1 }).message).toBe('one of --opc or --op is required: 32 hex digits (16 bytes)');
    expect(errorOf({ ...SET_1, opc: OPC, op: OP }).message).toBe('give either --opc or --op, not both');
  });
});
