import { firstSeen, type Findings } from './check-support.js';
import { cidrContains, parseCidr, parseIp } from './ip-address.js';
import type { Endpoint, NetworkSpec } from './network-spec.schema.js';
import { sgwusOf, upfsOf, type UserPlaneNode } from './user-plane.js';

/**
 * Checks of the user-plane nodes (UPFs, SGW-Us): names, what each serves, and whether Open5GS's selection can
 * hand a node a session it cannot carry.
 */

/** Open5GS keeps a selection TAC in 16 bits (lib/pfcp/context.c: `uint16_t tac[]`), so a larger one never matches. */
const MAX_SELECTION_TAC = 65_535;

type Selectable = { name?: string | undefined; dnns?: string[] | undefined; tacs?: number[] | undefined };

export function checkUserPlane(spec: NetworkSpec, f: Findings): void {
  const upfs = upfsOf(spec);
  checkNodes(spec, upfs, 'UPF', f);
  checkNodes(spec, sgwusOf(spec), 'SGW-U', f);
  spec.dnns.forEach((dnn, i) => {
    if (!upfs.some((u) => u.dnns.includes(dnn)))
      f.error(
        `dnns[${i}]`,
        `no UPF serves DNN "${dnn.name}"; add it to the dnns of a UPF in nf.upf (or drop that UPF's dnns list)`,
      );
  });
  checkUpfSelection(spec, upfs, f);
  checkReach(spec.nf.smf.pfcp, 'SMF', 'nf.smf.pfcp', upfs, 'pfcp', f);
  checkReach(spec.nf.sgwc.pfcp, 'SGW-C', 'nf.sgwc.pfcp', sgwusOf(spec), 'pfcp', f);
  // The UPF hands the SMF what the SMF must answer itself (IPv6 router solicitations) over GTP-U, to the
  // SMF's gtpu address (src/smf/context.c smf_sess_create_cp_up_data_forwarding).
  checkReach(spec.nf.smf.gtpu, 'SMF', 'nf.smf.gtpu', upfs, 'gtpu', f);
}

function checkNodes<T extends Selectable>(
  spec: NetworkSpec,
  nodes: UserPlaneNode<T>[],
  kind: string,
  f: Findings,
): void {
  firstSeen(
    nodes,
    (n) => n.name,
    (i, first) =>
      f.error(
        `${nodes[i]?.path}.name`,
        `${kind} name "${nodes[i]?.name}" is used twice (first at ${nodes[first]?.path})`,
      ),
  );
  const declared = new Set(spec.dnns.map((d) => d.name.toLowerCase()));
  for (const { node, path } of nodes) {
    const dnns = node.dnns ?? [];
    dnns.forEach((name, j) => {
      if (!declared.has(name.toLowerCase()))
        f.error(`${path}.dnns[${j}]`, `DNN "${name}" is not declared in dnns`);
    });
    firstSeen(
      dnns,
      (d) => d.toLowerCase(),
      (j, first) => f.error(`${path}.dnns[${j}]`, `DNN listed twice (first at dnns[${first}])`),
    );
    const tacs = node.tacs ?? [];
    tacs.forEach((tac, j) => {
      if (!spec.tacs.includes(tac))
        f.error(`${path}.tacs[${j}]`, `TAC ${tac} is not declared in tacs, so no session ever comes from it`);
      else if (tac > MAX_SELECTION_TAC)
        f.error(
          `${path}.tacs[${j}]`,
          `Open5GS keeps a selection TAC in 16 bits, so TAC ${tac} would never match; select by DNN instead`,
        );
    });
    firstSeen(tacs, String, (j, first) =>
      f.error(`${path}.tacs[${j}]`, `TAC listed twice (first at tacs[${first}])`),
    );
  }
}

/**
 * Open5GS's SMF picks, round-robin, a UPF whose `dnn:` lists the session's DNN *or* whose `tac:` lists its TAC;
 * when none matches, any UPF (src/smf/context.c compare_ue_info, selected_upf_node). Every UPF it can pick for
 * a DNN must carry that DNN's UE pool, or the session fails on the UPF.
 */
function checkUpfSelection(spec: NetworkSpec, upfs: ReturnType<typeof upfsOf>, f: Findings): void {
  if (upfs.length < 2) return;
  const reported = new Set<string>();
  for (const dnn of spec.dnns) {
    for (const tac of spec.tacs) {
      const matching = upfs.filter(
        ({ node }) =>
          node.dnns?.some((d) => d.toLowerCase() === dnn.name.toLowerCase()) || node.tacs?.includes(tac),
      );
      const candidates = matching.length > 0 ? matching : upfs;
      for (const upf of candidates) {
        if (upf.dnns.includes(dnn) || reported.has(`${upf.path}|${dnn.name}`)) continue;
        reported.add(`${upf.path}|${dnn.name}`);
        const why =
          matching.length > 0
            ? `its tacs include TAC ${tac}, and Open5GS's SMF selects a UPF by DNN or TAC`
            : `no UPF's dnns or tacs match a "${dnn.name}" session from TAC ${tac}, so Open5GS's SMF picks any UPF`;
        f.error(
          upf.path,
          `UPF "${upf.name}" can be given sessions of DNN "${dnn.name}" it does not serve: ${why}. List "${dnn.name}" in its dnns, or give another UPF dnns: [${dnn.name}]`,
        );
      }
    }
  }
}

const isLoopback = (address: string) => {
  const ip = parseIp(address);
  if (!ip) return false; // a host name: cannot tell
  const loop = parseCidr(ip.family === 4 ? '127.0.0.0/8' : '::1/128');
  return loop.ok && cidrContains(loop.cidr, ip);
};

/**
 * A control-plane node bound to loopback cannot talk PFCP (or GTP-U) to a user-plane node on another host,
 * nor the other way round: the kernel never sends loopback-sourced packets off the host. On one host it
 * works, so a warning.
 */
function checkReach<T extends { pfcp: Endpoint; gtpu: Endpoint }>(
  own: Endpoint,
  kind: string,
  path: string,
  nodes: UserPlaneNode<T>[],
  via: 'pfcp' | 'gtpu',
  f: Findings,
): void {
  if (!parseIp(own.address)) return; // a host name: cannot tell
  const ownLoop = isLoopback(own.address);
  const what = via === 'pfcp' ? 'PFCP' : 'GTP-U';
  for (const { node, path: nodePath, name } of nodes) {
    const peer = node[via].advertise ?? node[via].address;
    if (!parseIp(peer) || isLoopback(peer) === ownLoop) continue;
    if (ownLoop)
      f.warn(
        path,
        `the ${kind} binds ${what} to loopback ${own.address}: it reaches "${name}" at ${peer} only if that is an address of the same host; on two hosts, bind the ${kind} to an address of its own`,
      );
    else
      f.warn(
        `${nodePath}.${via}`,
        `"${name}" binds ${what} to loopback ${peer}: the ${kind} at ${own.address} reaches it only on the same host`,
      );
  }
}
