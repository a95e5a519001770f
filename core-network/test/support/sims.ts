import { createCipheriv, randomBytes } from 'node:crypto';

/** A random but well-formed SIM (Luhn-valid ICCID) on PLMN 001/01, as a vendor batch line. */
export function fakeSim(n: number) {
  const imsi = `00101${String(n).padStart(10, '0')}`;
  const body = `8992001${String(n).padStart(11, '0')}`;
  const iccid = body + luhnDigit(body);
  return { imsi, iccid, k: randomBytes(16).toString('hex'), opc: randomBytes(16).toString('hex') };
}

export function luhnDigit(body: string): string {
  for (let d = 0; d < 10; d++) {
    const s = body + d;
    let sum = 0;
    for (let i = 0; i < s.length; i++) {
      let x = s.charCodeAt(s.length - 1 - i) - 48;
      if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
      sum += x;
    }
    if (sum % 10 === 0) return String(d);
  }
  throw new Error('unreachable');
}

export function simCsv(sims: ReturnType<typeof fakeSim>[], extraLines: string[] = []): string {
  return (
    ['imsi,iccid,ki,opc', ...sims.map((s) => `${s.imsi},${s.iccid},${s.k},${s.opc}`), ...extraLines].join(
      '\n',
    ) + '\n'
  );
}

export const aes = (k: Buffer, block: Buffer) => {
  const c = createCipheriv('aes-128-ecb', k, null).setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
};
