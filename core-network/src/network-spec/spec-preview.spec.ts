import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_NETWORK_YAML } from './demo-network.js';
import { parseNetworkSpec, specSha256, type NetworkSpec } from './network-spec.js';
import { previewNetworkSpec, unifiedDiff } from './spec-preview.js';

function specOf(yaml: string): NetworkSpec {
  const r = parseNetworkSpec(yaml);
  if (!r.ok) throw new Error(`invalid: ${JSON.stringify(r.errors)}`);
  return r.spec;
}

const demo = specOf(DEMO_NETWORK_YAML);
const running = { version: 3, sha256: specSha256(demo), spec: demo };

describe('previewNetworkSpec', () => {
  it('against no running spec: every file is added', () => {
    const p = previewNetworkSpec(DEMO_NETWORK_YAML, null);
    expect(p).toMatchObject({ valid: true, baseVersion: 0, baseSha256: null, changed: true, errors: [] });
    expect(p.files.map((f) => f.status)).toEqual(Array(24).fill('added'));
    expect(p.files.slice(16, 20).map((f) => f.name)).toEqual(
      ['mme', 'hss', 'smf', 'pcrf'].map((nf) => `freeDiameter/${nf}.conf`),
    );
    // The UPF host's files (its tun device, sysctl and nftables), diffed like the rest.
    expect(p.files.slice(20).map((f) => f.name)).toEqual([
      'upf-host/upf/50-pakawaaz-ogstun.netdev',
      'upf-host/upf/50-pakawaaz-ogstun.network',
      'upf-host/upf/30-pakawaaz-upf.conf',
      'upf-host/upf/pakawaaz-upf.nft',
    ]);
    expect(p.specDiff).toContain("+  mnc: '01'");
  });

  it('turning on Diameter TLS changes the four freeDiameter files and no YAML file', () => {
    const p = previewNetworkSpec(`${DEMO_NETWORK_YAML}\ndiameter: { tls: true }\n`, running);
    const changed = p.files.filter((f) => f.status === 'changed').map((f) => f.name);
    expect(changed).toEqual(['mme', 'hss', 'smf', 'pcrf'].map((nf) => `freeDiameter/${nf}.conf`));
    expect(p.files.find((f) => f.name === 'freeDiameter/mme.conf')?.diff).toContain('\n+TLS_CA = ');
  });

  it('the running spec with other comments is no change: no spec diff, every file unchanged', () => {
    const p = previewNetworkSpec(`# edited comment\n${DEMO_NETWORK_YAML}`, running);
    expect(p).toMatchObject({ valid: true, changed: false, specDiff: '', baseVersion: 3 });
    expect(new Set(p.files.map((f) => f.status))).toEqual(new Set(['unchanged']));
  });

  it('a new TAC shows in the spec diff and in the AMF and MME files only', () => {
    const p = previewNetworkSpec(DEMO_NETWORK_YAML.replace('tacs: [1]', 'tacs: [1, 7]'), running);
    expect(p.changed).toBe(true);
    expect(p.specDiff).toMatch(/^--- running spec \(v3\)\n\+\+\+ new spec\n@@ /);
    expect(p.specDiff).toContain('\n+  - 7\n');
    const changed = p.files.filter((f) => f.status === 'changed');
    expect(changed.map((f) => f.name).sort()).toEqual(['amf.yaml', 'mme.yaml']);
    expect(changed[0]?.diff).toMatch(/^--- amf\.yaml \(running\)\n\+\+\+ amf\.yaml\n@@ /);
  });

  it('the UPF turned into a list: upf-<name>.yaml is added and upf.yaml shows as removed', () => {
    const p = previewNetworkSpec(`${DEMO_NETWORK_YAML}nf:\n  upf: [{ name: edge }]\n`, running);
    const byName = new Map(p.files.map((f) => [f.name, f]));
    expect(byName.get('upf-edge.yaml')?.status).toBe('added');
    expect(byName.get('upf.yaml')?.status).toBe('removed');
    expect(byName.get('upf.yaml')?.diff).toMatch(/^--- upf\.yaml \(running\)\n\+\+\+ \/dev\/null\n@@ /);
    expect(byName.get('smf.yaml')?.status).toBe('unchanged');
  });

  it('an invalid spec: every problem, no diff; a weak one is valid but flagged', () => {
    const bad = previewNetworkSpec(
      DEMO_NETWORK_YAML.replace("mnc: '01'", 'mnc: 1').replace('tacs: [1]', 'tacs: [1, 1]'),
      running,
    );
    expect(bad).toMatchObject({ valid: false, sha256: null, specDiff: '', files: [] });
    expect(bad.errors.map((e) => e.path)).toEqual(['plmn.mnc', 'tacs[1]']);
    const weak = previewNetworkSpec(DEMO_NETWORK_YAML.replace('[NEA2, NEA1, NEA0]', '[NEA0, NEA2]'), running);
    expect(weak.valid).toBe(true);
    expect(weak.weakSecurity.map((w) => w.path)).toEqual(['security.nr.ciphering[0]']);
    expect(weak.files.find((f) => f.name === 'amf.yaml')?.diff).toMatch(
      /-.*NEA2, NEA1, NEA0.*\n\+.*NEA0, NEA2/,
    );
  });
});

describe('unifiedDiff', () => {
  it('matches GNU diff -u hunk for hunk (file names aside)', () => {
    const a = Array.from({ length: 40 }, (_, i) => `line ${i}`);
    const b = [...a];
    b.splice(3, 1, 'changed 3');
    b.splice(20, 0, 'inserted');
    b.pop();
    const dir = mkdtempSync(path.join(tmpdir(), 'pkz-diff-'));
    const [fa, fb] = [path.join(dir, 'a'), path.join(dir, 'b')];
    writeFileSync(fa, `${a.join('\n')}\n`);
    writeFileSync(fb, `${b.join('\n')}\n`);
    let gnu = '';
    try {
      execFileSync('diff', ['-u', fa, fb], { encoding: 'utf8' });
    } catch (err) {
      gnu = (err as { stdout: string }).stdout; // exit 1: the files differ
    }
    const hunks = (text: string) => text.slice(text.indexOf('\n@@'));
    const ours = unifiedDiff(`${a.join('\n')}\n`, `${b.join('\n')}\n`, 'a', 'b');
    expect(hunks(ours)).toBe(hunks(gnu));
    expect(ours.startsWith('--- a\n+++ b\n@@ ')).toBe(true);
    expect(unifiedDiff('x\n', 'x\n', 'a', 'b')).toBe('');
  });
});
