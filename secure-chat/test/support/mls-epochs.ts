import {
  acceptAll,
  createCommit,
  createGroup,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  generateKeyPackage,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
  mlsExporter,
  processMessage,
  type ClientState,
} from 'ts-mls';

// A real MLS group (ts-mls) for the media test: each member derives the SFrame base key from its own group
// state with the exporter (RFC 9605 §5.2, as lab/src/calls/mls-sframe.ts does), so the browsers' keys are MLS
// keys, not the test's.
const cs = await getCiphersuiteImpl(getCiphersuiteFromName('MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519'));
const NK = 16; // AEAD.Nk of AES_128_GCM_SHA256_128

/** A member's SFrame epoch as the page takes it (bigint and bytes as a string and numbers). */
export type PageEpoch = {
  epoch: string;
  baseKey: number[];
  leaves: number[];
  leafCount: number;
  ownLeaf: number;
};

export async function pageEpochOf(state: ClientState): Promise<PageEpoch> {
  const baseKey = await mlsExporter(
    state.keySchedule.exporterSecret,
    'SFrame 1.0 Base Key',
    new Uint8Array(),
    NK,
    cs,
  );
  const leaves: number[] = [];
  state.ratchetTree.forEach((n, i) => i % 2 === 0 && n?.nodeType === 'leaf' && leaves.push(i / 2));
  return {
    epoch: String(state.groupContext.epoch),
    baseKey: [...baseKey],
    leaves,
    leafCount: (state.ratchetTree.length + 1) / 2,
    ownLeaf: state.privatePath.leafIndex,
  };
}

/** Members 0..n-1 in one group (leaf i for member i), each with its own state. */
export async function mlsGroup(names: string[]): Promise<ClientState[]> {
  const kps = await Promise.all(
    names.map((n) =>
      generateKeyPackage(
        { credentialType: 'basic', identity: new TextEncoder().encode(n) },
        defaultCapabilities(),
        defaultLifetime,
        [],
        cs,
      ),
    ),
  );
  const first = kps[0]!;
  const created = await createGroup(
    new TextEncoder().encode('media-test'),
    first.publicPackage,
    first.privatePackage,
    [],
    cs,
  );
  const added = await createCommit(
    { state: created, cipherSuite: cs },
    {
      extraProposals: kps
        .slice(1)
        .map((k) => ({ proposalType: 'add' as const, add: { keyPackage: k.publicPackage } })),
    },
  );
  const others = await Promise.all(
    kps
      .slice(1)
      .map((k) =>
        joinGroup(
          added.welcome!,
          k.publicPackage,
          k.privatePackage,
          emptyPskIndex,
          cs,
          added.newState.ratchetTree,
        ),
      ),
  );
  return [added.newState, ...others];
}

/** Member `by` removes leaf `leaf`; every other member in `states` applies the commit. The new states. */
export async function removeMember(states: ClientState[], by: number, leaf: number): Promise<ClientState[]> {
  const c = await createCommit(
    { state: states[by]!, cipherSuite: cs },
    { extraProposals: [{ proposalType: 'remove', remove: { removed: leaf } }] },
  );
  return Promise.all(
    states.map(async (s, i) => {
      if (i === by) return c.newState;
      if (i === leaf) return s;
      const m = c.commit;
      if (m.wireformat !== 'mls_private_message' && m.wireformat !== 'mls_public_message')
        throw new Error('a commit is a framed message');
      const r = await processMessage(m, s, emptyPskIndex, acceptAll, cs);
      if (r.kind !== 'newState') throw new Error('the commit did not give a new state');
      return r.newState;
    }),
  );
}
