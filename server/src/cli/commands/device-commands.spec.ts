import { describe, expect, it } from 'vitest';
import type { Schemas } from '../api-client.js';
import { buildCli } from '../cli.js';
import { commandLine } from './device-commands.js';

const command = (over: Partial<Schemas['DeviceCommand']> = {}): Schemas['DeviceCommand'] => ({
  id: '6f1c2a9e-0000-4000-8000-000000000001',
  deviceId: '6f1c2a9e-0000-4000-8000-0000000000d1',
  type: 'wipe',
  params: {},
  idempotencyKey: 'k',
  state: 'failed',
  createdBy: { id: 'operator:1', name: 'ayesha', displayName: 'Ayesha Siddiqui' },
  createdAt: '2026-12-04T06:00:00.000Z',
  expiresAt: '2026-12-11T06:00:00.000Z',
  deliveredAt: '2026-12-04T06:01:00.000Z',
  acknowledgedAt: '2026-12-04T06:02:00.000Z',
  result: { detail: 'storage busy' },
  ...over,
});

describe('devices commands', () => {
  it('prints each command with its state, who queued it (display name) and the handset’s detail', () => {
    expect(commandLine(command())).toBe(
      '2026-12-04T06:00:00.000Z  wipe               failed     6f1c2a9e-0000-4000-8000-000000000001  by Ayesha Siddiqui — storage busy\n',
    );
  });

  it('shows a display name as text, never as terminal control', () => {
    const by = { id: 'operator:1', name: 'x', displayName: 'Eve\u001b[2J' };
    expect(commandLine(command({ createdBy: by }))).toContain('by Eve\\x1b[2J');
  });

  it('shows what the handset wrote as text, never as terminal control', () => {
    expect(commandLine(command({ result: { detail: 'x\u001b[2Jy' } }))).toContain('x\\x1b[2Jy');
  });

  it('a wipe off a terminal without --yes is refused before anything is sent', async () => {
    const err: string[] = [];
    const io = {
      env: { PAKAWAAZ_URL: 'http://127.0.0.1:9' },
      stdout: () => undefined,
      stderr: (s: string) => err.push(s),
    };
    const program = await buildCli(io, ['devices']);
    program.exitOverride();
    const run = program.parseAsync(['devices', 'command', '--device', 'd1', '--type', 'wipe'], {
      from: 'user',
    });
    await expect(run).rejects.toThrow(/Give --yes to confirm/);
  });
});
