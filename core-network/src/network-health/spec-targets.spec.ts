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
