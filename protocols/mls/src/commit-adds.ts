import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { decodeWhole } from './decode.js';
import { MLS_LIMITS } from './errors.js';
import { chatSuite } from './suite.js';

/** What a commit's own (inline) proposals add and remove, read without checking it. */
export type CommitAdds = {
  /** The KeyPackageRef (RFC 9420 §5.2) of each KeyPackage an inline Add proposal carries. */
  addedKeyPackageRefs: Uint8Array[];
  /** Inline Remove proposals. */
  removes: number;
};

/**
 * The Adds and Removes a PublicMessage commit carries by value: a hash per added KeyPackage, no signature
 * checked, so that the server can refuse a commit adding KeyPackages it never handed out (or more than the
 * group may hold) before the dear check of every KeyPackage on a worker. Proposals by reference are the
 * server's own (it knows them). Not a commit, or a PrivateMessage: nothing.
 */
export async function readCommitAdds(bytes: Uint8Array): Promise<CommitAdds> {
  const message = decodeWhole(bytes, MLS_LIMITS.maxMessageBytes, 'message', [
    'mls_public_message',
    'mls_private_message',
  ]);
  const content = message.wireformat === 'mls_public_message' ? message.publicMessage.content : undefined;
  if (content?.contentType !== 'commit') return { addedKeyPackageRefs: [], removes: 0 };
  const inline = content.commit.proposals.flatMap((p) =>
    p.proposalOrRefType === 'proposal' ? [p.proposal] : [],
  );
  const cs = await chatSuite();
  const addedKeyPackageRefs = await Promise.all(
    inline.flatMap((p) => (p.proposalType === 'add' ? [makeKeyPackageRef(p.add.keyPackage, cs.hash)] : [])),
  );
  return { addedKeyPackageRefs, removes: inline.filter((p) => p.proposalType === 'remove').length };
}
