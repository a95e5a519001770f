import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  demoFleetNeedsToken,
  readFleetState,
  writeFleetState,
  type DemoFleetState,
} from './demo-fleet-state.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-demo-state-'));
  file = path.join(dir, 'demo-fleet.json');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const handset = (institution?: string) =>
  ({
    plan: { official: 'ayesha.khan' },
    saved: { imei: '1', serial: 's', keyPem: 'k', enrolment: {}, state: {} },
    ...(institution ? { institution } : {}),
  }) as unknown as DemoFleetState['handsets'][number];
const store = { catalogueKey: { kty: 'OKP', crv: 'Ed25519', x: 'AA' }, logKey: 'log.example+01020304+AQ' };

describe("the demo fleet's state file", () => {
  it('needs a set-up token on the first start, and none once the fleet pinned the store', async () => {
    expect(await demoFleetNeedsToken(file)).toBe(true);
    await writeFleetState(file, { version: 1, store, handsets: [handset('i-1'), handset('i-2')] });
    expect(await demoFleetNeedsToken(file)).toBe(false);
    expect(await readFleetState(file)).toMatchObject({ store, handsets: [{ institution: 'i-1' }, {}] });
    // It holds the handsets' keys.
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('needs one again when the file predates the pins, or a handset has no institution', async () => {
    await writeFile(file, JSON.stringify({ version: 1, handsets: [handset()] }));
    expect(await demoFleetNeedsToken(file)).toBe(true);
    await writeFleetState(file, { version: 1, store, handsets: [handset('i-1'), handset()] });
    expect(await demoFleetNeedsToken(file)).toBe(true);
  });
});
