import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEMO_NETWORK_YAML } from './demo-network.js';
import type { SpecDraft } from '../open5gs/config/upf-host-test-support.js';
import { validateNetworkSpec, type NetworkSpecResult } from './network-spec.js';

function validate(edit: (raw: SpecDraft) => void): NetworkSpecResult {
  const raw = parse(DEMO_NETWORK_YAML) as SpecDraft;
  edit(raw);
  return validateNetworkSpec(raw);
}
const errorsOf = (r: NetworkSpecResult) => (r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`));

const upf = (name: string, host: string, extra: object = {}) => ({
  name,
  pfcp: { address: host },
  gtpu: { address: host },
  metrics: { address: host },
  ...extra,
});
const twoHosts = (upfs: object[]) => (raw: SpecDraft) => {
  raw.nf = { smf: { pfcp: { address: '10.10.0.1' } }, upf: upfs };
};

describe('user-plane checks', () => {
  it('the single-object form of every older spec still parses, unchanged', () => {
    const r = validate((raw) => (raw.nf = { upf: { pfcp: { address: '127.0.0.7' } } }));
    expect(r.ok && r.spec.nf.upf).toEqual({
      pfcp: { address: '127.0.0.7', port: 8805 },
      gtpu: { address: '127.0.0.7', port: 2152 },
      metrics: { address: '127.0.0.7', port: 9090 },
    });
  });

  it('accepts two UPFs that split the DNNs', () => {
    const r = validate(
      twoHosts([upf('a', '10.10.0.2', { dnns: ['internet'] }), upf('b', '10.10.0.3', { dnns: ['gov'] })]),
    );
    expect(errorsOf(r)).toEqual([]);
  });

  it('a DNN no UPF serves', () => {
    const r = validate((raw) => (raw.nf = { upf: { dnns: ['internet'] } }));
    expect(errorsOf(r)).toEqual([
      'dnns[1]: no UPF serves DNN "gov"; add it to the dnns of a UPF in nf.upf (or drop that UPF\'s dnns list)',
    ]);
  });

  it('names unique, DNNs declared, TACs declared and 16-bit', () => {
    const r = validate((raw) => {
      raw.tacs = [1, 70000];
      twoHosts([
        upf('a', '10.10.0.2', { dnns: ['internet', 'web'], tacs: [70000] }),
        upf('a', '10.10.0.3', { tacs: [2] }),
      ])(raw);
    });
    expect(errorsOf(r)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^nf\.upf\[1\]\.name: UPF name "a" is used twice/),
        expect.stringMatching(/^nf\.upf\[0\]\.dnns\[1\]: DNN "web" is not declared/),
        expect.stringMatching(/^nf\.upf\[0\]\.tacs\[0\]: Open5GS keeps a selection TAC in 16 bits/),
        expect.stringMatching(/^nf\.upf\[1\]\.tacs\[0\]: TAC 2 is not declared/),
      ]),
    );
  });

  it('a UPF selected by TAC gets every DNN’s sessions there (DNN *or* TAC), so it must serve them all', () => {
    const r = validate((raw) => {
      raw.tacs = [1, 2];
      twoHosts([
        upf('a', '10.10.0.2', { dnns: ['internet'] }),
        upf('b', '10.10.0.3', { dnns: ['gov'], tacs: [2] }),
      ])(raw);
    });
    expect(errorsOf(r)).toEqual([
      expect.stringMatching(
        /^nf\.upf\[1\]: UPF "b" can be given sessions of DNN "internet" it does not serve: its tacs include TAC 2/,
      ),
    ]);
  });

  it('a session no key matches goes to any UPF, so an unlisted DNN needs every UPF', () => {
    const r = validate(twoHosts([upf('a', '10.10.0.2', { dnns: ['gov'] }), upf('b', '10.10.0.3')]));
    expect(errorsOf(r)).toEqual([
      expect.stringMatching(
        /^nf\.upf\[0\]: UPF "a" can be given sessions of DNN "internet" it does not serve: no UPF's dnns or tacs match/,
      ),
    ]);
  });

  it('two UPFs on one address and port are caught by the endpoint check', () => {
    const r = validate(twoHosts([upf('a', '10.10.0.2'), upf('b', '10.10.0.2')]));
    expect(errorsOf(r)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^nf\.upf\[1\]\.pfcp: 10\.10\.0\.2 port 8805\/udp is already used by nf\.upf\[0\]\.pfcp/,
        ),
      ]),
    );
  });

  it('warns when the SMF binds PFCP to loopback but a UPF is elsewhere', () => {
    const r = validate((raw) => (raw.nf = { upf: upf('a', '10.10.0.2') }));
    expect(r.ok && r.warnings.map((w) => w.path)).toContain('nf.smf.pfcp');
  });

  it('a list entry without a name says where', () => {
    const r = validate((raw) => (raw.nf = { upf: [{ pfcp: { address: '10.10.0.2' } }] }));
    expect(errorsOf(r)).toEqual([
      "nf.upf: [0].name: name each UPF of a list: the name is part of its file's name",
    ]);
  });
});
