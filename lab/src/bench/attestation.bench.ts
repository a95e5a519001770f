import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { attestationWorkerPool } from '@pakawaaz/device-mgmt';
import {
  verifyAttestation,
  trustRootsFromPem,
  type AttestationPolicy,
} from '@pakawaaz/device-mgmt/attestation';
import {
  createLabAttestationRoot,
  healthyLabAttestation,
  LAB_AGENT,
  LAB_BOOT_KEY,
  labAttestationChain,
} from '@pakawaaz/handset-simulator';

/**
 * Android Key Attestation chains verified per second (parse, DER guard, chain signatures, revocation,
 * KeyDescription, policy) on lab chains of 3 certificates, against raw ECDSA P-256 verifications per second
 * in the same run (a chain needs 2–3): on this thread (with the event loop's worst delay while verifying),
 * and on the worker pool the server verifies enrolments on (its default size, tasks copied in and out).
 */
const TARGET_PER_SECOND = 500;
const DURATION_MS = 2_000;
const CONCURRENCY = 16;
const CHAINS = 64;
/** Tasks in flight on the pool: enough to keep every worker busy while replies travel back. */
const POOL_IN_FLIGHT = 32;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
/** CPU seconds of this process (every thread): the figure a busy shared machine distorts least. */
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

type Chain = { ders: Uint8Array[]; challenge: string };

/** Chains per second through the server's attestation worker pool (warmed: workers started, roots parsed). */
async function poolRate(chains: readonly Chain[], rootPem: string, policy: AttestationPolicy) {
  const pool = attestationWorkerPool();
  const task = (c: Chain) =>
    pool.run({
      chain: c.ders,
      extraRootsPem: rootPem,
      challenge: c.challenge,
      revocations: [],
      policy,
      at: Date.now(),
    });
  try {
    await Promise.all(chains.map(task));
    let done = 0;
    let refused = 0;
    const [start, cpu] = [performance.now(), cpuSeconds()];
    await Promise.all(
      Array.from({ length: POOL_IN_FLIGHT }, async () => {
        while (performance.now() - start < DURATION_MS) {
          const r = await task(chains[done++ % chains.length]!);
          if (r.kind !== 'read' || !r.verdict.ok) refused++;
        }
      }),
    );
    return {
      perSecond: done / ((performance.now() - start) / 1000),
      perCpuSecond: done / (cpuSeconds() - cpu),
      refused,
      size: pool.size,
    };
  } finally {
    await pool.close();
  }
}

export async function run(): Promise<void> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = Buffer.alloc(600, 3);
  const sig = sign('sha256', data, privateKey);
  let n = 0;
  const [t0, cpu0] = [performance.now(), cpuSeconds()];
  while (performance.now() - t0 < DURATION_MS) {
    for (let i = 0; i < 100; i++) verify('sha256', data, publicKey, sig);
    n += 100;
  }
  const baseline = n / ((performance.now() - t0) / 1000);
  const baselineCpu = n / (cpuSeconds() - cpu0);
  const perCpu = (rate: number) =>
    `; ${fmt(rate)} per CPU-second (x${(rate / baselineCpu).toFixed(3)} of baseline's)`;
  process.stdout.write(
    `${'raw ECDSA P-256 verify, node crypto (baseline)'.padEnd(48)} ${fmt(baseline).padStart(8)} /s  ` +
      `(${fmt(baselineCpu)} per CPU-second)\n`,
  );

  const root = await createLabAttestationRoot();
  const roots = trustRootsFromPem(root.pem, 'lab');
  const policy: AttestationPolicy = {
    requireStrongBox: false,
    trustedBootKeys: [LAB_BOOT_KEY.toString('hex')],
    minimumPatchLevel: 202501,
    application: {
      packageName: LAB_AGENT.packageName,
      signatureDigests: [LAB_AGENT.signatureDigest.toString('hex')],
    },
  };
  const chains: Chain[] = await Promise.all(
    Array.from({ length: CHAINS }, async (_, i) => {
      const challenge = Buffer.alloc(32, i);
      const c = await labAttestationChain(root, healthyLabAttestation(challenge));
      return { ders: c.ders, challenge: challenge.toString('hex') };
    }),
  );
  const options = (c: Chain) => ({
    roots,
    at: new Date(),
    challenge: c.challenge,
    revocations: new Map(),
    policy,
  });
  for (const c of chains) await verifyAttestation(c.ders, options(c)); // warm-up, as the pool gets
  const delay = monitorEventLoopDelay({ resolution: 5 });
  let done = 0;
  let refused = 0;
  const [start, cpu] = [performance.now(), cpuSeconds()];
  delay.enable();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() - start < DURATION_MS) {
        // Let timers run between chains (verification is synchronous work): the delay is then one chain's.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const c = chains[done++ % CHAINS]!;
        const r = await verifyAttestation(c.ders, options(c));
        if (!r.verdict.ok) refused++;
      }
    }),
  );
  delay.disable();
  const perSecond = done / ((performance.now() - start) / 1000);
  const perCpuSecond = done / (cpuSeconds() - cpu);
  process.stdout.write(
    `${'attestation chain verification (3 certificates)'.padEnd(48)} ${fmt(perSecond).padStart(8)} /s  ` +
      `(x${(perSecond / baseline).toFixed(3)} of baseline)  ${perSecond >= TARGET_PER_SECOND && refused === 0 ? 'PASS' : 'FAIL'} (target ≥ ${fmt(TARGET_PER_SECOND)}/s)  ` +
      `event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms` +
      `${perCpu(perCpuSecond)}\n`,
  );

  const pool = await poolRate(chains, root.pem, policy);
  process.stdout.write(
    `${`the same on the server's worker pool (${pool.size} thread${pool.size === 1 ? '' : 's'})`.padEnd(48)} ${fmt(pool.perSecond).padStart(8)} /s  ` +
      `(x${(pool.perSecond / baseline).toFixed(3)} of baseline)  ${pool.perSecond >= TARGET_PER_SECOND && pool.refused === 0 ? 'PASS' : 'FAIL'} (target ≥ ${fmt(TARGET_PER_SECOND)}/s)` +
      `${perCpu(pool.perCpuSecond)}\n`,
  );
}
