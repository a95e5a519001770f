import { randomBytes } from 'node:crypto';
import { luhnCheckDigit } from '../../src/sim-inventory/sim-csv.js';

/** A random but well-formed SIM (Luhn-valid ICCID) on PLMN 001/01, as a vendor batch line. */
export function fakeSim(n: number) {
  const imsi = `00101${String(n).padStart(10, '0')}`;
  const body = `8992001${String(n).padStart(11, '0')}`;
  return {
    imsi,
    iccid: body + luhnCheckDigit(body),
    k: randomBytes(16).toString('hex'),
    opc: randomBytes(16).toString('hex'),
  };
}

export function simCsv(sims: ReturnType<typeof fakeSim>[], extraLines: string[] = []): string {
  return (
    ['imsi,iccid,ki,opc', ...sims.map((s) => `${s.imsi},${s.iccid},${s.k},${s.opc}`), ...extraLines].join(
      '\n',
    ) + '\n'
  );
}
