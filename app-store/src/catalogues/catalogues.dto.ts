import { named } from '@pakawaaz/platform';
import { z } from 'zod';

export const InstitutionIdParam = z.string().uuid();

/** An APK's SHA-256 as the catalogue names it: lower-case hex. */
export const ApkSha256Param = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lower-case hex');

export const CatalogueDiffQuery = named(
  'CatalogueDiffQuery',
  z
    .object({
      from: z.coerce
        .number()
        .int()
        .min(0)
        .max(Number.MAX_SAFE_INTEGER)
        .describe('Timestamp of the index the handset holds'),
    })
    .strict(),
  'input',
);

export const CatalogueView = named(
  'StoreCatalogue',
  z.object({
    institutionId: z.string(),
    timestamp: z.number().int().describe('Milliseconds since the epoch; increases with every publication'),
    entry: z.string().describe('The signed entry: a compact JWS (ES256) naming the index hash and the diffs'),
    index: z.string().describe('The canonical (RFC 8785) index; its UTF-8 bytes are what the entry signs'),
  }),
);

export const CatalogueDiffView = named(
  'StoreCatalogueDiff',
  z.object({
    institutionId: z.string(),
    timestamp: z.number().int(),
    from: z.number().int(),
    entry: z.string().describe('The current signed entry, which lists the diff by its hash'),
    diff: z.string().describe('RFC 7396 merge patch from the index of `from` to the current one, canonical'),
  }),
);

export const CatalogueStatus = named(
  'StoreCatalogueStatus',
  z.object({
    institutionId: z.string(),
    timestamp: z.number().int(),
    indexSha256: z.string(),
    numPackages: z.number().int(),
    entry: z.string(),
    index: z.string(),
  }),
);

export const CatalogueKey = named(
  'StoreCatalogueKey',
  z.object({
    jwk: z
      .record(z.string(), z.unknown())
      .describe('The catalogue key (P-256, ES256) as a public JWK, with kid: handsets pin it at enrolment'),
  }),
);
