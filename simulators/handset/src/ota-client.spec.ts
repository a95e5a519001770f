import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
// tuf-js does not export its error classes from its entry point; the client tells them apart by name.
import { DownloadHTTPError, ExpiredMetadataError } from 'tuf-js/dist/error.js';
import { describe, expect, it } from 'vitest';
import { fetchVerifiedUpdate, tufDetail } from './ota-client.js';

describe("the lab handset's OTA client", () => {
  it('says precisely why tuf-js refused', () => {
    expect(tufDetail(new ExpiredMetadataError('Final timestamp.json is expired'))).toBe(
      'tuf: timestamp metadata expired',
    );
    expect(tufDetail(new ExpiredMetadataError('snapshot.json is expired'))).toBe(
      'tuf: snapshot metadata expired',
    );
    expect(tufDetail(new Error('Unable to load targets error Error: targets was signed by 0/1 keys'))).toBe(
      'tuf: targets was signed by 0/1 keys',
    );
    expect(tufDetail(new DownloadHTTPError('Failed to download', 404))).toBe(
      'tuf: the server publishes no signed update metadata (HTTP 404)',
    );
    expect(tufDetail(new DownloadHTTPError('Failed to download', 404), 'payload')).toBe(
      'tuf: payload download failed (HTTP 404)',
    );
  });

  it('refuses to update without a trusted root, before touching the network', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pkz-ota-'));
    try {
      const r = await fetchVerifiedUpdate(
        { serverUrl: 'http://127.0.0.1:9', dir },
        { model: 'labphone', buildId: 'B1' },
        { version: '15.2' },
      );
      expect(r).toEqual({ ok: false, detail: 'tuf: no trusted root on the handset' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
