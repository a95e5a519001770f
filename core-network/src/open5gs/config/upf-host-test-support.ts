import { parse } from 'yaml';
import { DEMO_NETWORK_YAML } from '../../network-spec/demo-network.js';
import { validateNetworkSpec, type NetworkSpec } from '../../network-spec/network-spec.js';

/** Test support for the UPF host files: a demo-based spec, and systemd unit files read as sections. */

/** The demo spec as raw YAML data to edit: its two DNNs, and whatever else a test sets. */
export type SpecDraft = {
  dnns: [Record<string, unknown>, Record<string, unknown>, ...Record<string, unknown>[]];
  nf?: unknown;
  tacs?: number[];
};

export function demoWith(edit: (raw: SpecDraft) => void = () => undefined): NetworkSpec {
  const raw = parse(DEMO_NETWORK_YAML) as SpecDraft;
  edit(raw);
  const r = validateNetworkSpec(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.spec;
}

export type UnitEntry = { section: string; key: string; value: string };

/** A systemd unit file as systemd reads it (systemd.syntax(7)): `[Section]`, `Key=Value`, `#`/`;` comments. */
export function readUnit(text: string): UnitEntry[] {
  const entries: UnitEntry[] = [];
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1] ?? '';
    else {
      const eq = line.indexOf('=');
      if (eq < 0) throw new Error(`not a unit line: ${line}`);
      entries.push({ section, key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() });
    }
  }
  return entries;
}
