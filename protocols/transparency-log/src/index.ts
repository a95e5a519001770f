/** RFC 9162 Merkle tree log (see package.json). The public face: each part exports from here. */
export {};
