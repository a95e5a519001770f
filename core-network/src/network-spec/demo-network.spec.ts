import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_NETWORK_YAML } from './demo-network.js';
import { parseNetworkSpec } from './network-spec.js';

describe('demo network', () => {
  it('the TS constant is byte-for-byte the YAML file', () => {
    const file = readFileSync(new URL('./demo-network.yaml', import.meta.url), 'utf8');
    expect(DEMO_NETWORK_YAML).toBe(file);
  });

  it('is a valid spec on the test PLMN 001/01 with no warnings', () => {
    const r = parseNetworkSpec(DEMO_NETWORK_YAML);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.warnings).toEqual([]);
    expect(r.spec.plmn).toEqual({ mcc: '001', mnc: '01' });
    expect(r.spec.tacs).toEqual([1]);
    expect(r.spec.slices.map((s) => [s.sst, s.sd])).toEqual([
      [1, undefined],
      [1, '000001'],
    ]);
    expect(r.spec.dnns.map((d) => [d.name, d.ipv4.subnet])).toEqual([
      ['internet', '10.45.0.0/16'],
      ['gov', '10.46.0.0/16'],
    ]);
    expect(r.spec.expectedUeCount).toBe(10_000);
  });
});
