import { describe, expect, it } from 'vitest';
import { DEMO_NETWORK_YAML } from '../network-spec/demo-network.js';
import { parseNetworkSpec } from '../network-spec/network-spec.js';
import { parseScrapeTargets } from './scrape-targets.js';
import { targetsFromSpec } from './spec-targets.js';

describe('targetsFromSpec', () => {
  it('scrapes every NF of the demo network that exposes metrics, with state APIs on AMF, SMF and MME', () => {
    const parsed = parseNetworkSpec(DEMO_NETWORK_YAML);
    if (!parsed.ok) throw new Error('demo spec invalid');
    const targets = targetsFromSpec(parsed.spec);
    expect(parseScrapeTargets(targets).map((t) => t.name)).toEqual(targets.map((t) => t.name));
    const amf = targets.find((t) => t.nf === 'amf');
    expect(amf).toEqual({
      nf: 'amf',
      name: 'amf',
      metricsUrl: 'http://127.0.0.5:9090/metrics',
      stateUrl: 'http://127.0.0.5:9090',
    });
    expect(targets.find((t) => t.nf === 'upf')).not.toHaveProperty('stateUrl');
    expect(targets.map((t) => t.nf)).toEqual(
      expect.arrayContaining(['amf', 'smf', 'upf', 'mme', 'hss', 'pcrf']),
    );
  });
});

describe('targetsFromSpec with several UPFs', () => {
  it('scrapes each UPF at its own metrics endpoint, named after its file', () => {
    const parsed = parseNetworkSpec(
      `${DEMO_NETWORK_YAML}
nf:
  smf: { pfcp: { address: 10.10.0.1 } }
  upf:
    - { name: a, pfcp: { address: 10.10.0.2 }, gtpu: { address: 10.10.0.2 }, metrics: { address: 10.10.0.2 } }
    - { name: b, pfcp: { address: 10.10.0.3 }, gtpu: { address: 10.10.0.3 }, metrics: { address: 10.10.0.3, port: 9091 } }
`,
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const targets = targetsFromSpec(parsed.spec);
    expect(parseScrapeTargets(targets).filter((t) => t.nf === 'upf')).toEqual([
      { nf: 'upf', name: 'upf-a', metricsUrl: 'http://10.10.0.2:9090/metrics' },
      { nf: 'upf', name: 'upf-b', metricsUrl: 'http://10.10.0.3:9091/metrics' },
    ]);
  });
});
