import { createPublicKey, verify as verifySignature, type JsonWebKey } from 'node:crypto';
import type { JWK } from 'jose';
import type { Signer } from '../keys/key.service.js';
import { canonicalJson } from './audit-chain.js';

/**
 * Signed checkpoints of the audit chain. The hash chain finds an edited or deleted row, but not the newest
 * rows deleted together (the shorter chain is still a valid chain). A checkpoint is the chain head (seq and
 * hash) at a time, signed with the key service's `audit-checkpoint` key (Ed25519, a file outside the
 * database or a key in the HSM): whoever deletes rows below the latest checkpoint, or rewrites the chain
 * past one, is reported, and rewriting the checkpoints themselves needs the key. Each checkpoint also signs
 * its predecessor's signature and number, so deleting one in the middle is reported too. Deleting the newest
 * checkpoints along with the newest rows is what is left: checkpoints are written every few minutes, also
 * when nothing happened, and logged, so their log lines (shipped off the host) and the age of the newest
 * one give that away.
 */
export type AuditCheckpoint = {
  readonly n: number;
  /** The chain head covered: the newest entry's seq (0 for an empty log) and its hash. */
  readonly seq: number;
  readonly hash: string;
  readonly at: Date;
  /** The signature of checkpoint n − 1 ('' for the first): the checkpoints form a chain of their own. */
  readonly prevSignature: string;
  readonly kid: string;
  /** base64url signature over checkpointPayload. */
  readonly signature: string;
};

export type CheckpointProblemReason =
  | 'truncated'
  | 'checkpoint_mismatch'
  | 'checkpoint_invalid'
  | 'checkpoint_missing'
  | 'checkpoint_key_missing'
  | 'checkpoints_deleted'
  | 'checkpoint_stale';

export type CheckpointProblem = {
  readonly n: number;
  readonly seq: number;
  readonly at: string;
  readonly reason: CheckpointProblemReason;
  readonly message: string;
};

const PAYLOAD_VERSION = 'pakawaaz-audit-checkpoint/1';

/** The exact bytes signed: every field but the signature, as canonical JSON. */
export function checkpointPayload(c: Omit<AuditCheckpoint, 'signature' | 'kid'>): Buffer {
  return Buffer.from(
    canonicalJson({
      v: PAYLOAD_VERSION,
      n: c.n,
      seq: c.seq,
      hash: c.hash,
      at: c.at.toISOString(),
      prev: c.prevSignature,
    }),
    'utf8',
  );
}

export async function signCheckpoint(
  c: Omit<AuditCheckpoint, 'signature' | 'kid'>,
  signer: Signer,
): Promise<AuditCheckpoint> {
  const signature = (await signer.sign(checkpointPayload(c))).toString('base64url');
  return { ...c, kid: signer.kid, signature };
}

/** A verifier for the checkpoint key's public half (a JWK as the key service gives it). */
export function checkpointVerifier(publicJwk: JWK): (c: AuditCheckpoint) => boolean {
  const { kty, crv, x, y } = publicJwk;
  const key = createPublicKey({ key: { kty, crv, x, y } as JsonWebKey, format: 'jwk' });
  const alg = publicJwk.kty === 'EC' ? 'sha256' : null;
  return (c) => {
    const sig = Buffer.from(c.signature, 'base64url');
    return (
      sig.length === 64 &&
      verifySignature(alg, checkpointPayload(c), alg ? { key, dsaEncoding: 'ieee-p1363' } : key, sig)
    );
  };
}

const problem = (
  c: AuditCheckpoint,
  reason: CheckpointProblemReason,
  message: string,
): CheckpointProblem => ({
  n: c.n,
  seq: c.seq,
  at: c.at.toISOString(),
  reason,
  message,
});

/**
 * Checks the checkpoints themselves (signatures, numbering, linkage), oldest first; returns the first problem.
 * `verify` is null when the checkpoint key is missing: any checkpoint then cannot be trusted.
 */
export function checkCheckpointChain(
  checkpoints: readonly AuditCheckpoint[],
  verify: ((c: AuditCheckpoint) => boolean) | null,
): CheckpointProblem | null {
  let prev: AuditCheckpoint | null = null;
  for (const c of checkpoints) {
    if (!verify)
      return problem(
        c,
        'checkpoint_key_missing',
        `the audit checkpoint key is missing, so checkpoint ${c.n} cannot be checked; restore the key from its backup`,
      );
    if (!verify(c))
      return problem(
        c,
        'checkpoint_invalid',
        `checkpoint ${c.n} (${c.at.toISOString()}) is not signed by the audit checkpoint key: it was forged or edited`,
      );
    if (c.n !== (prev ? prev.n + 1 : 1) || c.prevSignature !== (prev?.signature ?? ''))
      return problem(
        c,
        'checkpoint_missing',
        `checkpoint ${c.n} (${c.at.toISOString()}) does not follow ${prev ? `checkpoint ${prev.n}` : 'the start'}: checkpoints were deleted`,
      );
    if (prev && c.seq < prev.seq)
      return problem(
        c,
        'truncated',
        `checkpoint ${c.n} (${c.at.toISOString()}) covers entries up to #${c.seq}, but checkpoint ${prev.n} before it covered #${prev.seq}: entries #${c.seq + 1}–#${prev.seq} were deleted`,
      );
    prev = c;
  }
  return null;
}

/** The problem of the chain (length and hashes at checkpoint seqs) against the checkpoints, or null. */
export function checkChainAgainstCheckpoints(
  checkpoints: readonly AuditCheckpoint[],
  entries: number,
  hashAt: ReadonlyMap<number, string>,
): CheckpointProblem | null {
  for (const c of checkpoints) {
    if (c.seq > entries)
      return problem(
        c,
        'truncated',
        `the log ends at entry #${entries} but checkpoint ${c.n}, signed ${c.at.toISOString()}, covers entries up to #${c.seq}: entries #${entries + 1}–#${c.seq} were deleted`,
      );
    if (c.seq > 0 && hashAt.get(c.seq) !== c.hash)
      return problem(
        c,
        'checkpoint_mismatch',
        `entry #${c.seq} is not the entry checkpoint ${c.n} (${c.at.toISOString()}) signed: the log was rewritten past the checkpoint`,
      );
  }
  return null;
}

/**
 * Whether the entries not yet covered by a checkpoint are older than a running server would have let them
 * be. A server signs a checkpoint at start and every interval, so an uncovered entry written more than two
 * intervals before the newest entry means checkpoints were deleted (all of them, or the newest along with
 * the newest rows). Measured against the newest entry, not the clock: a stopped server verified offline, or
 * one that just started, is not reported. The log's youngest two intervals stay unanchored: deleting every
 * checkpoint and the rows of that window is not found here (only by the shipped log lines).
 */
export function checkCheckpointCoverage(
  checkpoints: readonly AuditCheckpoint[],
  firstUncovered: { seq: number; at: Date } | null,
  newestAt: Date | null,
  intervalMs: number,
): CheckpointProblem | null {
  if (!firstUncovered || !newestAt) return null;
  const lag = newestAt.getTime() - firstUncovered.at.getTime();
  if (lag <= 2 * intervalMs) return null;
  const latest = checkpoints.at(-1);
  const minutes = Math.round(lag / 60_000);
  if (!latest)
    return {
      n: 0,
      seq: firstUncovered.seq,
      at: firstUncovered.at.toISOString(),
      reason: 'checkpoints_deleted',
      message: `there are no audit checkpoints, but entry #${firstUncovered.seq} is ${minutes} min older than the newest entry (checkpoints are signed every ${intervalMs / 1000} s): the checkpoints were deleted`,
    };
  return problem(
    latest,
    'checkpoint_stale',
    `the newest checkpoint ${latest.n} (${latest.at.toISOString()}) covers entries up to #${latest.seq}, but entry #${firstUncovered.seq} is ${minutes} min older than the newest entry (checkpoints are signed every ${intervalMs / 1000} s): newer checkpoints were deleted`,
  );
}
