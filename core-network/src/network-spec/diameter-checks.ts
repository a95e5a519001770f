import { parseIp } from './ip-address.js';
import { firstSeen, type Findings } from './check-support.js';
import type { NetworkSpec } from './network-spec.schema.js';
import { DIAMETER_LINKS, DIAMETER_NFS, diameterIdentity, diameterRealm, sbiDomain } from './node-names.js';

/** Cross-field rules of the `diameter` and `sbi` sections. */

const isLoopback = (address: string): boolean => {
  const ip = parseIp(address);
  return ip !== null && (ip.family === 4 ? address.startsWith('127.') : address === '::1');
};
const isUnspecified = (address: string): boolean => address === '0.0.0.0' || /^[0:]+$/.test(address);

export function checkDiameter(spec: NetworkSpec, f: Findings): void {
  const d = spec.diameter;
  const realm = diameterRealm(spec);
  const identities = DIAMETER_NFS.map((nf) => diameterIdentity(spec, nf));
  // freeDiameter tells peers apart by identity: a second node with the same one is refused at CER.
  firstSeen(
    DIAMETER_NFS,
    (nf) => diameterIdentity(spec, nf),
    (i, first) =>
      f.error(
        `diameter.${DIAMETER_NFS[i]}.identity`,
        `Diameter identity ${identities[i]} is also the ${DIAMETER_NFS[first]?.toUpperCase()}'s; every node needs its own`,
      ),
  );
  DIAMETER_NFS.forEach((nf, i) => {
    const identity = identities[i] ?? '';
    // Open5GS sends every request to its own realm, so all four must share it (the one `diameter.realm`).
    if (!identity.endsWith(`.${realm}`))
      f.warn(
        `diameter.${nf}.identity`,
        `${identity} is not in the realm ${realm}; TS 23.003 names a node <name>.<realm>, and certificates and logs are easier to read that way`,
      );
    const node = d[nf];
    if (isUnspecified(node.address))
      f.error(
        `diameter.${nf}.address`,
        `${node.address} is "any address": the peer must dial a real one; give the address of the ${nf.toUpperCase()} host`,
      );
    if (node.port === node.secPort)
      f.error(`diameter.${nf}.secPort`, `port and secPort are both ${node.port}; give them different ports`);
  });
  checkDiameterSockets(spec, f);
  for (const [a, b, name] of DIAMETER_LINKS) {
    const [x, y] = [d[a].address, d[b].address];
    if (isLoopback(x) !== isLoopback(y))
      f.warn(
        `diameter.${isLoopback(x) ? a : b}.address`,
        `${name}: the ${a.toUpperCase()} is at ${x} and the ${b.toUpperCase()} at ${y}; a loopback address is reachable from its own host only, so give both the addresses of their hosts`,
      );
  }
}

/** Two Diameter nodes listening on the same address and port. */
function checkDiameterSockets(spec: NetworkSpec, f: Findings): void {
  const taken = new Map<string, string>();
  for (const nf of DIAMETER_NFS) {
    const node = spec.diameter[nf];
    // Only the port in use listens: Port when plain, SecPort with TLS.
    const [field, port] = spec.diameter.tls ? ['secPort', node.secPort] : ['port', node.port];
    const key = `${node.address.toLowerCase()}|${port}`;
    const path = `diameter.${nf}.${field}`;
    const owner = taken.get(key);
    if (owner) f.error(path, `${node.address} port ${port} is already used by ${owner}`);
    else taken.set(key, path);
  }
}

export function checkSbi(spec: NetworkSpec, f: Findings): void {
  if (!spec.sbi.tls) return;
  const domain = sbiDomain(spec);
  // https URIs are FQDNs; `<nf>.<domain>` must stay within the 253 characters of a DNS name.
  if (domain.length > 253 - 5)
    f.error('sbi.domain', `${domain} is too long for NF names like nssf.${domain} (253 characters)`);
}
