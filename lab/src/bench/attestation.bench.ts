import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
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
 * in the same run (a chain needs 2–3), with the event loop's worst delay while verifying.
 */
const TARGET_PER_SECOND = 500;
const DURATION_MS = 2_000;
const CONCURRENCY = 16;
const CHAINS = 64;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function run(): Promise<void> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = Buffer.alloc(600, 3);
  const sig = sign('sha256', data, privateKey);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < DURATION_MS) {
    for (let i = 0; i < 100; i++) verify('sha256', data, publicKey, sig);
    n += 100;
  }
  const baseline = n / ((performance.now() - t0) / 1000);
  process.stdout.write(
    `${'raw ECDSA P-256 verify, node crypto (baseline)'.padEnd(48)} ${fmt(baseline).padStart(8)} /s\n`,
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
  const chains = await Promise.all(
    Array.from({ length: CHAINS }, async (_, i) => {
      const challenge = Buffer.alloc(32, i);
      const c = await labAttestationChain(root, healthyLabAttestation(challenge));
      return { ders: c.ders, challenge: challenge.toString('hex') };
    }),
  );
  const delay = monitorEventLoopDelay({ resolution: 5 });
  let done = 0;
  let refused = 0;
  const start = performance.now();
  delay.enable();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() - start < DURATION_MS) {
        const c = chains[done++ % CHAINS]!;
        const r = await verifyAttestation(c.ders, {
          roots,
          at: new Date(),
          challenge: c.challenge,
          revocations: new Map(),
          policy,
        });
        if (!r.verdict.ok) refused++;
      }
    }),
  );
  delay.disable();
  const perSecond = done / ((performance.now() - start) / 1000);
  process.stdout.write(
    `${'attestation chain verification (3 certificates)'.padEnd(48)} ${fmt(perSecond).padStart(8)} /s  ` +
      `(x${(perSecond / baseline).toFixed(2)} of baseline)  ${perSecond >= TARGET_PER_SECOND && refused === 0 ? 'PASS' : 'FAIL'} (target ≥ ${fmt(TARGET_PER_SECOND)}/s)  ` +
      `event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms\n`,
  );
}
