import { createCipheriv, randomBytes } from 'node:crypto';
import { createMilenage, generateVector, nextSqn, PAKAWAAZ_IND } from '@pakawaaz/milenage';

/**
 * Milenage vectors per second on one core, against the raw speed of the cipher underneath it: AES-128-ECB
 * through Node's crypto, one 16-byte block per call. A vector from OP needs about 7 AES blocks (OPc, TEMP,
 * OUT1…OUT5), so baseline/7 is roughly what a block-by-block implementation could reach.
 */
const TARGET_PER_SECOND = 30_000;
const DURATION_MS = 2_000;
const AES_BLOCKS_PER_VECTOR = 7;
const SUBSCRIBERS = 1_024;
const BATCH = 1_000;

type Subscriber = { k: Buffer; opc: Buffer; rand: Buffer };

/** Calls `op` in batches for about `ms` after a short warm-up; returns calls per second. */
function rate(op: (i: number) => unknown, ms: number): number {
  for (let i = 0; i < BATCH * 5; i++) op(i);
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < BATCH; i++) op(calls + i);
    calls += BATCH;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return calls / (elapsed / 1000);
}

function subscribers(): Subscriber[] {
  return Array.from({ length: SUBSCRIBERS }, () => ({
    k: randomBytes(16),
    opc: randomBytes(16),
    rand: randomBytes(16),
  }));
}

const pick = (subs: Subscriber[], i: number): Subscriber => subs[i % subs.length]!;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Prints one row: rate, µs per call, ratio to baseline/7, and the verdict against the target. */
function row(name: string, perSecond: number, perVectorBaseline: number): void {
  const verdict = perSecond >= TARGET_PER_SECOND ? 'PASS' : 'FAIL';
  process.stdout.write(
    `${name.padEnd(46)} ${fmt(perSecond).padStart(10)} vectors/s  ${(1e6 / perSecond).toFixed(2).padStart(6)} µs/vector  ` +
      `(x${(perSecond / perVectorBaseline).toFixed(2)} of baseline/${AES_BLOCKS_PER_VECTOR})  ${verdict} (target ≥ ${fmt(TARGET_PER_SECOND)}/s)\n`,
  );
}

export function run(): Promise<void> {
  const subs = subscribers();
  const amf = Buffer.from('8000', 'hex');
  const cipher = createCipheriv('aes-128-ecb', randomBytes(16), null).setAutoPadding(false);
  const block = randomBytes(16);
  const aes = rate(() => cipher.update(block), DURATION_MS);
  const perVectorBaseline = aes / AES_BLOCKS_PER_VECTOR;
  process.stdout.write(
    `${'raw AES-128-ECB, 1 block per call (baseline)'.padEnd(46)} ${fmt(aes).padStart(10)} blocks/s   ` +
      `${(1e6 / aes).toFixed(2).padStart(6)} µs/block   baseline/${AES_BLOCKS_PER_VECTOR} = ${fmt(perVectorBaseline)} vectors/s\n`,
  );

  // The production path: K and OPc are unwrapped per request, so each vector sets up its own cipher.
  const oneShot = rate((i) => {
    const s = pick(subs, i);
    return generateVector({ ...s, amf, sqn: nextSqn(i, PAKAWAAZ_IND).sqn });
  }, DURATION_MS);
  row('generateVector (new cipher per vector)', oneShot, perVectorBaseline);

  // Batch generation for one subscriber (e.g. several vectors per request): the cipher is reused.
  const milenages = subs.map((s) => createMilenage(s.k, s.opc));
  const sqn = nextSqn(0, PAKAWAAZ_IND).sqn;
  const reused = rate(
    (i) => milenages[i % milenages.length]!.compute(pick(subs, i).rand, sqn, amf),
    DURATION_MS,
  );
  row('createMilenage(k, opc).compute (cipher reused)', reused, perVectorBaseline);
  return Promise.resolve();
}
