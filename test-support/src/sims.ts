import { randomBytes } from 'node:crypto';

/**
 * The Luhn check digit of an ICCID body (ITU-T E.118, ISO/IEC 7812-1 Annex B), written out here rather
 * than taken from core-network: test data should not be made by the code it tests.
 */
export function luhnCheckDigit(body: string): string {
  if (!/^\d+$/.test(body)) throw new RangeError('Luhn: digits only');
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    // Doubling starts with the rightmost digit of the body (the check digit will sit to its right).
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

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

export type FakeSim = ReturnType<typeof fakeSim>;

export function simCsv(sims: FakeSim[], extraLines: string[] = []): string {
  return (
    ['imsi,iccid,ki,opc', ...sims.map((s) => `${s.imsi},${s.iccid},${s.k},${s.opc}`), ...extraLines].join(
      '\n',
    ) + '\n'
  );
}
