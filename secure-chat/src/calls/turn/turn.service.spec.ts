import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TurnService } from './turn.service.js';

describe('TURN service', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('reads the secret file again after a failed read (a rejected read is not kept)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-turn-'));
    dirs.push(dir);
    const secretFile = path.join(dir, 'turn-secret');
    const turn = new TurnService({
      turn: { urls: ['turn:t.example:3478'], secretFile, ttlSeconds: 600, probeMs: 30_000 },
    });
    await expect(turn.issue('device-1')).rejects.toThrow(/ENOENT/);
    await writeFile(secretFile, 'short\n');
    await expect(turn.issue('device-1')).rejects.toThrow(/fewer than 16/);
    await writeFile(secretFile, 'north-wind-shared-secret\n');
    const c = await turn.issue('device-1', 1_000_000);
    expect(c?.username).toBe(`${1000 + 600}:device-1`);
  });
});
