import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  parseVerifierKey,
  verifyCheckpoint,
  verifyCheckpointConsistency,
  type NoteVerifier,
} from '@pakawaaz/transparency-log';
import { ApiError } from '@pakawaaz/api-client/errors';
import { CliError, unwrap } from '../api-client.js';
import type { CliContext } from '../context.js';

/** What `store log verify` decided, and the exit code that says it (0 consistent, 2 not, 1 unreadable). */
export type LogVerdict = { readonly exitCode: 0 | 1 | 2; readonly message: string };

const HEX_HASH = /^[0-9a-f]{64}$/;

/**
 * The offline half of `store log verify`: both checkpoints signed by the log key for its origin (the key's
 * name: C2SP tlog-checkpoint has the log sign under its origin), and the RFC 9162 §2.1.4 consistency proof
 * from the older size to the newer. Whatever the server sent is only an input here: a forged or rewritten
 * log fails these checks, it cannot talk its way past them.
 */
export function verifyLogCheckpoints(
  older: string,
  newer: string,
  proofHex: readonly string[],
  key: NoteVerifier,
  origin = key.name,
): LogVerdict {
  if (!proofHex.every((h) => HEX_HASH.test(h)))
    return { exitCode: 2, message: 'the consistency proof is malformed' };
  const r = verifyCheckpointConsistency(
    older,
    newer,
    proofHex.map((h) => Buffer.from(h, 'hex')),
    key,
    origin,
  );
  if (!r.ok) return { exitCode: 2, message: `NOT consistent: ${r.message} (${r.code})` };
  return {
    exitCode: 0,
    message: `consistent: the tree of ${r.newer.size} extends the tree of ${r.older.size} (${origin})`,
  };
}

/** The size a checkpoint claims, once its signature checks out (the proof to ask the server for). */
function signedSize(note: string, key: NoteVerifier, origin: string, which: string): number {
  const c = verifyCheckpoint(note, key, origin);
  if (!c.ok) throw new CliError(`NOT consistent: the ${which} checkpoint: ${c.message} (${c.code})`, 2);
  return c.checkpoint.size;
}

async function readNote(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((err: unknown) => {
    throw new CliError(`Cannot read ${file}: ${(err as Error).message}`, 1);
  });
}

async function verify(
  ctx: CliContext,
  oldFile: string,
  newFile: string | undefined,
  o: { key?: string; origin?: string; json?: boolean },
) {
  const older = await readNote(oldFile);
  const newer = newFile === undefined ? undefined : await readNote(newFile);
  const api = ctx.api();
  const keyText = (
    o.key ??
    ctx.io.env.PAKAWAAZ_STORE_LOG_KEY ??
    (await unwrap(api.GET('/api/v1/store/log/key', { parseAs: 'text' })))
  ).trim();
  let key: NoteVerifier;
  try {
    key = parseVerifierKey(keyText);
  } catch (err) {
    throw new CliError(`The log key is not a C2SP verifier key: ${(err as Error).message}`, 1);
  }
  if (o.key === undefined && ctx.io.env.PAKAWAAZ_STORE_LOG_KEY === undefined)
    ctx.io.stderr(
      'warning: the log key came from the server itself; pin it with --key (or PAKAWAAZ_STORE_LOG_KEY) so a server with another key cannot vouch for itself\n',
    );
  const origin = o.origin ?? key.name;
  const latest = newer ?? (await unwrap(api.GET('/api/v1/store/log/checkpoint', { parseAs: 'text' })));
  const from = signedSize(older, key, origin, 'older');
  const to = signedSize(latest, key, origin, newer === undefined ? "server's" : 'newer');
  if (from > to)
    throw new CliError(
      `NOT consistent: the ${newer === undefined ? "server's checkpoint" : 'newer checkpoint'} has ${to} leaves, the older ${from}: a log never shrinks`,
      2,
    );
  const proof = await unwrap(
    api.GET('/api/v1/store/log/consistency', { params: { query: { from, to } } }),
  ).catch((err: unknown) => {
    // The key signed a tree the server's log cannot extend to: it serves another history than it signed.
    if (err instanceof ApiError && err.code === 'log_size_invalid')
      throw new CliError(`NOT consistent: the server has no tree of ${to} leaves, yet its key signed one`, 2);
    throw err;
  });
  const verdict = verifyLogCheckpoints(older, latest, proof.proof, key, origin);
  ctx.print(
    { consistent: verdict.exitCode === 0, from, to, origin, message: verdict.message },
    !!o.json,
    () => (verdict.exitCode === 0 ? `${verdict.message}\n` : ''),
  );
  if (verdict.exitCode !== 0) throw new CliError(verdict.message, verdict.exitCode);
}

/** `store log …`: the APK transparency log, as an auditor checks it (README: Transparency log). */
export function registerStoreLogCommands(store: Command, ctx: CliContext): void {
  const log = store
    .command('log')
    .description('the APK transparency log: save checkpoints, check the log only grew');
  log
    .command('checkpoint')
    .description("print (or save) the log's current signed checkpoint")
    .option('--out <file>', 'write it to this file')
    .action(async (o: { out?: string }) => {
      const note = await unwrap(ctx.api().GET('/api/v1/store/log/checkpoint', { parseAs: 'text' }));
      if (o.out === undefined) return ctx.io.stdout(note);
      await writeFile(o.out, note);
      ctx.io.stderr(`saved the checkpoint of tree size ${note.split('\n')[1] ?? '?'} to ${o.out}\n`);
    });
  log
    .command('verify <old-checkpoint> [new-checkpoint]')
    .description(
      'check that the log (or NEW) extends OLD: signatures and the RFC 9162 consistency proof, offline (exit 0 consistent, 2 inconsistent or forged, 1 unreadable)',
    )
    .option(
      '--key <vkey>',
      "the log verifier key you pinned (name+keyid+base64); default: PAKAWAAZ_STORE_LOG_KEY, else the server's",
    )
    .option('--origin <origin>', "the log's origin; default: the key's name")
    .option('--json', 'print JSON')
    .action(
      (oldFile: string, newFile: string | undefined, o: { key?: string; origin?: string; json?: boolean }) =>
        verify(ctx, oldFile, newFile, o),
    );
}
