import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { luhnValid, parseSimCsv, SimCsvError } from './sim-csv.js';

// Reference OPc = AES-128_K(OP) XOR OP (TS 35.206 §4.1), checked below against TS 35.208 Test Set 1.
const computeOpc = (k: Buffer, op: Buffer) => {
  const c = createCipheriv('aes-128-ecb', k, null).setAutoPadding(false);
  const e = Buffer.concat([c.update(op), c.final()]);
  return Buffer.from(e.map((b, i) => b ^ op[i]!));
};
const opts = { mcc: '001', mnc: '01', computeOpc };
const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OP = 'cdc202d5123e20f62b6d676ac72cb318';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
const ICCID = '8901260000000000014'; // Luhn-valid

describe('luhnValid', () => {
  it('accepts valid ICCIDs and rejects a changed digit', () => {
    expect(luhnValid('8901260000000000014')).toBe(true);
    expect(luhnValid('8901260000000000015')).toBe(false);
    expect(luhnValid('79927398713')).toBe(true);
  });
});

describe('parseSimCsv', () => {
  it('reads the Pakawaaz format with case-insensitive headers, msisdn and batch', () => {
    const r = parseSimCsv(
      `IMSI,ICCID,Ki,OPc,MSISDN,Batch\n001010000000001,${ICCID},${K},${OPC},+92300000001,B-7\n`,
      opts,
    );
    expect(r.problems).toEqual([]);
    expect(r.format).toBe('pakawaaz');
    expect(r.rows).toEqual([
      {
        line: 2,
        imsi: '001010000000001',
        iccid: ICCID,
        k: Buffer.from(K, 'hex'),
        opc: Buffer.from(OPC, 'hex'),
        msisdn: '92300000001',
        batch: 'B-7',
      },
    ]);
  });

  it('computes OPc from OP (TS 35.208 Test Set 1)', () => {
    const r = parseSimCsv(`imsi,iccid,ki,op\n001010000000001,${ICCID},${K},${OP}\n`, opts);
    expect(r.rows[0]?.opc.toString('hex')).toBe(OPC);
  });

  it('accepts Magma NMS subscriber exports (IMSI prefix, lte_auth_key/opc, no ICCID)', () => {
    const csv = `imsi,lte_state,lte_auth_key,lte_auth_opc,sub_profile,active_apns\nIMSI001010000000009,ACTIVE,${K},${OPC},default,internet\n`;
    const r = parseSimCsv(csv, opts);
    expect(r.format).toBe('magma');
    expect(r.rows[0]).toMatchObject({ imsi: '001010000000009', iccid: null });
  });

  it('reports each bad row with its line and reason and keeps the good rows', () => {
    const csv = [
      'imsi,iccid,ki,opc',
      `001010000000001,${ICCID},${K},${OPC}`,
      `00101000000002,${ICCID},${K},${OPC}`,
      `310260000000003,${ICCID},${K},${OPC}`,
      `001010000000004,8901260000000000015,${K},${OPC}`,
      `001010000000005,123,${K},${OPC}`,
      `001010000000006,${ICCID},${K.slice(1)},${OPC}`,
      `001010000000007,${ICCID},${K},zz${OPC.slice(2)}`,
      '',
      `001010000000008,${ICCID},${K},${OPC}`,
    ].join('\n');
    const r = parseSimCsv(csv, opts);
    expect(r.rows.map((x) => [x.line, x.imsi])).toEqual([
      [2, '001010000000001'],
      [10, '001010000000008'],
    ]);
    expect(r.totalRows).toBe(8);
    expect(r.problems).toEqual([
      { line: 3, reason: 'IMSI must be 15 digits' },
      { line: 4, reason: 'IMSI does not belong to this network (PLMN 001/01)', imsi: '310260000000003' },
      { line: 5, reason: 'ICCID check digit (Luhn) is wrong', imsi: '001010000000004' },
      { line: 6, reason: 'ICCID must be 18 to 20 digits', imsi: '001010000000005' },
      { line: 7, reason: 'K must be 32 hex digits', imsi: '001010000000006' },
      { line: 8, reason: 'OPc must be 32 hex digits', imsi: '001010000000007' },
    ]);
    expect(JSON.stringify(r.problems)).not.toContain(K);
  });

  it('rejects a file whose header lacks a column, has both op and opc, or is not CSV', () => {
    expect(() => parseSimCsv('imsi,iccid,opc\n1,2,3\n', opts)).toThrow(/lacks: ki/);
    expect(() => parseSimCsv(`imsi,iccid,ki,opc,op\n`, opts)).toThrow(/both opc and op/);
    expect(() => parseSimCsv('"imsi,iccid,ki,opc\n', opts)).toThrow(SimCsvError);
    expect(() => parseSimCsv('', opts)).toThrow(/empty/);
  });
});
