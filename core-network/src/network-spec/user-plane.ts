import type { DnnSpec, NetworkSpec, SgwuSpec, UpfSpec } from './network-spec.schema.js';

/**
 * The user-plane nodes of a spec as one list, whichever form the spec uses: `nf.upf: {…}` (one node, the
 * single-host form; its files keep Open5GS's own names upf.yaml/sgwu.yaml) or `nf.upf: [{ name, … }, …]`
 * (several, each with its own upf-<name>.yaml).
 */
export type UserPlaneNode<T> = {
  /** `upf` for the single form, else the node's name. */
  name: string;
  /** Where the node's Open5GS file and log go: `upf`, `upf-<name>`. */
  file: string;
  /** The spec path of the node, for findings: `nf.upf` or `nf.upf[1]`. */
  path: string;
  node: T;
  /** The DNNs whose sessions it carries: those it lists, else every DNN. */
  dnns: DnnSpec[];
};

export function upfsOf(spec: Pick<NetworkSpec, 'nf' | 'dnns'>): UserPlaneNode<UpfSpec>[] {
  return nodesOf(spec.nf.upf, 'upf', spec.dnns);
}

export function sgwusOf(spec: Pick<NetworkSpec, 'nf' | 'dnns'>): UserPlaneNode<SgwuSpec>[] {
  return nodesOf(spec.nf.sgwu, 'sgwu', spec.dnns);
}

function nodesOf<T extends { name?: string | undefined; dnns?: string[] | undefined }>(
  value: T | T[],
  kind: 'upf' | 'sgwu',
  dnns: readonly DnnSpec[],
): UserPlaneNode<T>[] {
  const served = (node: T) =>
    node.dnns === undefined
      ? [...dnns]
      : dnns.filter((d) => node.dnns?.some((n) => n.toLowerCase() === d.name.toLowerCase()));
  if (!Array.isArray(value))
    return [{ name: value.name ?? kind, file: kind, path: `nf.${kind}`, node: value, dnns: served(value) }];
  return value.map((node, i) => {
    const name = node.name ?? `${i + 1}`;
    return { name, file: `${kind}-${name}`, path: `nf.${kind}[${i}]`, node, dnns: served(node) };
  });
}
