import type { NetworkSpec } from '../../network-spec/network-spec.js';
import { renderFreeDiameterConfigs, renderOpen5gsConfigs, type RenderOptions } from './render.js';
import { renderUpfHostFiles } from './render-upf-host.js';

/**
 * Every rendered file for a view of the whole configuration (previews, the NOC, the API): the YAML files, then
 * the freeDiameter files as `freeDiameter/<nf>.conf` (they live in a folder of their own on the hosts), then
 * each UPF host's networkd units, sysctl.d file and nftables script as `upf-host/<upf>/<file>` (what
 * `pakawaaz open5gs render --upf-host-out DIR` writes to DIR/<upf>/), so a spec change's diff shows what it
 * does to the UPF hosts' addresses and firewall too.
 */
export function renderAllOpen5gsFiles(
  spec: NetworkSpec,
  options: Partial<RenderOptions> = {},
): Map<string, string> {
  const freeDiameter = [...renderFreeDiameterConfigs(spec, options)].map(
    ([name, content]): [string, string] => [`freeDiameter/${name}`, content],
  );
  const upfHosts = renderUpfHostFiles(spec).flatMap(({ upf, files }) =>
    [...files].map(([name, content]): [string, string] => [`upf-host/${upf}/${name}`, content]),
  );
  return new Map([...renderOpen5gsConfigs(spec, options), ...freeDiameter, ...upfHosts]);
}
