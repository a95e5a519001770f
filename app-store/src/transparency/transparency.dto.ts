import { named } from '@pakawaaz/platform';
import { z } from 'zod';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 as 64 lowercase hex digits');
const treeSize = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const hashes = z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(64);

export const InclusionQuery = named(
  'StoreLogInclusionQuery',
  z
    .object({
      sha256: sha256.describe("The APK's SHA-256"),
      treeSize: treeSize.optional().describe("A signed tree size; default: the latest checkpoint's"),
    })
    .strict(),
  'input',
);
export const InclusionView = named(
  'StoreLogInclusion',
  z.object({
    leafIndex: z.number().int(),
    treeSize: z.number().int(),
    proof: hashes.describe('RFC 9162 §2.1.3.1 audit path, leaf first, hex'),
  }),
);
export const ConsistencyQuery = named(
  'StoreLogConsistencyQuery',
  z
    .object({
      from: treeSize.describe('The older tree size'),
      to: treeSize.optional().describe("The newer tree size (signed); default: the latest checkpoint's"),
    })
    .strict(),
  'input',
);
export const ConsistencyView = named(
  'StoreLogConsistency',
  z.object({ proof: hashes.describe('RFC 9162 §2.1.4.1 consistency proof, hex') }),
);
