import {
  DEFAULT_PROFILE,
  buildSubscriberDocuments,
  type SubscriberDocumentInput,
} from '@pakawaaz/core-network';

const COUNT = 10_000;
const BUDGET_MS = 1_000;
const RUNS = 7;

/** A realistic fleet: one profile shared by all, every 10th with a static IP, every 20th barred, half with an MSISDN. */
function fleet(): SubscriberDocumentInput[] {
  const secret = { k: Buffer.alloc(16, 0x46), opc: Buffer.alloc(16, 0xe8), amf: Buffer.from('8000', 'hex') };
  return Array.from({ length: COUNT }, (_, i) => ({
    imsi: `00101${String(i).padStart(10, '0')}`,
    msisdn: i % 2 === 0 ? `97150${String(i).padStart(7, '0')}` : null,
    secret,
    profile: DEFAULT_PROFILE,
    status: i % 20 === 0 ? 'barred' : 'active',
    staticIpv4: i % 10 === 0 ? `10.45.${(i >> 8) & 255}.${i & 255}` : null,
  }));
}

/** Median wall time of `RUNS` runs after two warm-up runs. */
function medianMs(work: () => unknown): number {
  work();
  work();
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[RUNS >> 1]!;
}

/**
 * Building 10,000 Open5GS subscriber documents (issue budget: ≤ 1 s), against a baseline in the same run:
 * 10,000 JSON round-trip clones of one built document (its int64 SQN as a string, since JSON has no bigint).
 */
export async function run(): Promise<void> {
  const inputs = fleet();
  await new Promise((resolve) => setImmediate(resolve)); // let start-up work settle before timing
  const build = medianMs(() => buildSubscriberDocuments(inputs));
  const one = buildSubscriberDocuments(inputs.slice(1, 2))[0];
  const text = (v: unknown) =>
    JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  const baseline = medianMs(() => {
    for (let i = 0; i < COUNT; i++) JSON.parse(text(one));
  });
  const row = (name: string, ms: number) =>
    `${name.padEnd(52)} ${ms.toFixed(1).padStart(8)} ms per 10k  ${Math.round((COUNT / ms) * 1000)
      .toLocaleString('en-US')
      .padStart(12)} docs/s\n`;
  process.stdout.write(row('JSON clone of one document × 10,000 (baseline)', baseline));
  process.stdout.write(row('buildSubscriberDocuments × 10,000', build));
  process.stdout.write(
    `ratio build / baseline: x${(build / baseline).toFixed(2)}  budget ${BUDGET_MS} ms: ${build <= BUDGET_MS ? 'PASS' : 'FAIL'}\n`,
  );
}
