import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Updater } from 'tuf-js';
import { parseCustom, refusal, targetNames, type OtaTargetCustom, type RunningOs } from './ota-rules.js';

/**
 * The lab handset's OTA client: before it installs an `update_os`, it refreshes the server's TUF repository
 * with tuf-js (timestamp → snapshot → targets, from the root it trusts: freeze, rollback and mix-and-match
 * protection), finds the payload for its model and build, applies the anti-downgrade rules (ota-rules.ts) and
 * downloads the payload, whose length and SHA-256 tuf-js checks against the signed targets. Only then may it
 * install. A real handset ships its trusted `1.root.json` in the OS image; the lab provisions it from the
 * server (`provisionTrustedRoot`) and keeps it in the handset's OTA folder.
 */

/** Where a handset keeps its trusted root (`root.json`, updated by tuf-js on rotation) and metadata cache. */
export type OtaClientOptions = {
  /** The server's base URL: metadata at `/ota/metadata/`, payloads at `/ota/targets/`. */
  serverUrl: string;
  /** The handset's OTA folder (its trusted root and the metadata it last verified). */
  dir: string;
};

export type OtaUpdateRequest = { version: string; buildId?: string };

export type VerifiedUpdate =
  | { ok: true; target: OtaTargetCustom; name: string; sha256: string; length: number }
  | { ok: false; detail: string };

const TRUSTED_ROOT = 'root.json';

/** Whether the handset holds a trusted root in `dir`. */
export const hasTrustedRoot = (dir: string): boolean => existsSync(path.join(dir, TRUSTED_ROOT));

/**
 * Lab provisioning: saves the server's `1.root.json` as the handset's trusted root, unless it has one. This
 * is trust on first use — acceptable in the lab only: a real handset ships the root in its OS image, so a
 * server that lies later cannot make it trust another root. False when the server publishes no root yet.
 */
export async function provisionTrustedRoot(serverUrl: string, dir: string): Promise<boolean> {
  if (hasTrustedRoot(dir)) return true;
  const res = await fetch(new URL('/ota/metadata/1.root.json', serverUrl));
  if (res.status === 404) return false;
  if (!res.ok) throw new Error(`GET /ota/metadata/1.root.json: HTTP ${res.status}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(dir, TRUSTED_ROOT), Buffer.from(await res.arrayBuffer()));
  return true;
}

/** tuf-js's refusals as the detail a failed `update_os` acknowledgement carries. */
export function tufDetail(err: unknown, stage: 'metadata' | 'payload' = 'metadata'): string {
  // tuf-js does not export its error classes: they are told apart by constructor name.
  const kind = (err as { constructor?: { name?: string } } | null)?.constructor?.name;
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (err instanceof Error && kind === 'ExpiredMetadataError') {
    const role = /(root|timestamp|snapshot|targets)\.json/.exec(err.message)?.[1];
    return `tuf: ${role ?? 'repository'} metadata expired`;
  }
  if (kind === 'DownloadHTTPError' && typeof status === 'number')
    return status === 404 && stage === 'metadata'
      ? 'tuf: the server publishes no signed update metadata (HTTP 404)'
      : `tuf: ${stage} download failed (HTTP ${status})`;
  // tuf-js wraps the cause ("Unable to load targets error Error: targets was signed by 0/1 keys"): keep the cause.
  const message = (err instanceof Error ? err.message : String(err)).replace(/^[^]*\bError: /, '');
  return `tuf: ${message.slice(0, 200)}`;
}

/**
 * Refreshes the repository and downloads the payload the command names, verified; never throws. The payload
 * is discarded once verified: the simulator has nothing to flash.
 */
export async function fetchVerifiedUpdate(
  o: OtaClientOptions,
  running: RunningOs,
  want: OtaUpdateRequest,
): Promise<VerifiedUpdate> {
  if (!hasTrustedRoot(o.dir)) return { ok: false, detail: 'tuf: no trusted root on the handset' };
  const updater = new Updater({
    metadataBaseUrl: new URL('/ota/metadata', o.serverUrl).href,
    targetBaseUrl: new URL('/ota/targets', o.serverUrl).href,
    metadataDir: o.dir,
    targetDir: path.join(o.dir, 'targets'),
    config: { fetchRetries: 0, fetchTimeout: 30_000 },
  });
  const download = path.join(o.dir, 'targets', 'ota.zip');
  let stage: 'metadata' | 'payload' = 'metadata';
  try {
    await updater.refresh();
    const names = targetNames(running.model, want.version, running.buildId);
    let info = null;
    for (const name of names) if (!info) info = (await updater.getTargetInfo(name)) ?? null;
    if (!info) return { ok: false, detail: `tuf: no signed target ${names[1]}` };
    const custom = parseCustom(info.custom);
    if (typeof custom === 'string') return { ok: false, detail: `tuf: ${custom}` };
    if (want.buildId && custom.buildId !== want.buildId)
      return {
        ok: false,
        detail: `signed target is build ${custom.buildId}, the command names ${want.buildId}`,
      };
    const refused = refusal(custom, running);
    if (refused) return { ok: false, detail: refused };
    await mkdir(path.dirname(download), { recursive: true });
    stage = 'payload';
    await updater.downloadTarget(info, download);
    return {
      ok: true,
      target: custom,
      name: info.path,
      sha256: info.hashes['sha256'] ?? '',
      length: info.length,
    };
  } catch (err) {
    return { ok: false, detail: tufDetail(err, stage) };
  } finally {
    await rm(download, { force: true });
  }
}

/** The trusted root the handset holds now (its version tells whether it followed a rotation). */
export async function trustedRootVersion(dir: string): Promise<number | null> {
  if (!hasTrustedRoot(dir)) return null;
  const root = JSON.parse(await readFile(path.join(dir, TRUSTED_ROOT), 'utf8')) as {
    signed?: { version?: number };
  };
  return root.signed?.version ?? null;
}
