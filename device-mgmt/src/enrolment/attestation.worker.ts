/**
 * An attestation worker thread: reads and judges one Android Key Attestation chain (ASN.1 parsing and chain
 * signatures take milliseconds of CPU) so that the event loop answering HTTP stays free. Roots are parsed
 * once per worker. (A worker imports only relative modules, node: built-ins and npm packages.)
 */
import { parentPort } from 'node:worker_threads';
import type { WorkerTaskReply } from '@pakawaaz/platform';
import type { AttestationFacts } from '../attestation/key-description.js';
import { verifyAttestation, type Verdict } from '../attestation/attestation.js';
import { AttestationInputError, type AttestationInputCode } from '../attestation/limits.js';
import type { AttestationPolicy } from '../attestation/policy.js';
import {
  googleAttestationRoots,
  trustRootsFromPem,
  type RevocationStatus,
  type TrustRoots,
} from '../attestation/trust.js';

export type AttestationTask = {
  chain: Uint8Array[];
  /** National and lab roots (PEM) trusted beside Google's. */
  extraRootsPem: string;
  challenge: string;
  revocations: [string, RevocationStatus][];
  policy: AttestationPolicy;
  at: number;
};
export type AttestationTaskResult =
  | { kind: 'unreadable'; code: AttestationInputCode; message: string }
  | { kind: 'read'; facts: AttestationFacts; verdict: Verdict; leafSpki: Uint8Array };

let roots: { pem: string; roots: TrustRoots } | undefined;

export async function judgeChain(task: AttestationTask): Promise<AttestationTaskResult> {
  if (roots?.pem !== task.extraRootsPem)
    roots = {
      pem: task.extraRootsPem,
      roots: [
        ...googleAttestationRoots(),
        ...(task.extraRootsPem ? trustRootsFromPem(task.extraRootsPem, 'configured root') : []),
      ],
    };
  try {
    const r = await verifyAttestation(task.chain, {
      roots: roots.roots,
      at: new Date(task.at),
      challenge: task.challenge,
      revocations: new Map(task.revocations),
      policy: task.policy,
    });
    const leafSpki = new Uint8Array(r.certificates[0]!.subjectPublicKeyInfo.toSchema().toBER(false));
    return { kind: 'read', facts: r.facts, verdict: r.verdict, leafSpki };
  } catch (err) {
    if (err instanceof AttestationInputError)
      return { kind: 'unreadable', code: err.code, message: err.message };
    throw err;
  }
}

parentPort?.on('message', (task: AttestationTask) => {
  judgeChain(task).then(
    (output) =>
      parentPort?.postMessage({ ok: true, output } satisfies WorkerTaskReply<AttestationTaskResult>),
    (err: unknown) =>
      parentPort?.postMessage({
        ok: false,
        message: err instanceof Error ? err.message : String(err),
      } satisfies WorkerTaskReply),
  );
});
