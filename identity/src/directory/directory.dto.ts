import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';
import { DIRECTORY_SCOPES, INSTITUTION_KINDS, ROLLOUT_PHASES } from './institutions.schema.js';

const Uuid = z.uuid();
export const Institution = named(
  'Institution',
  z.object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(INSTITUTION_KINDS),
    parentId: z.string().nullable(),
    // The rest only for an institution in the caller's scope (every one for a national principal): one the
    // caller's directory merely shows (parent, sibling, grant, scope `all`) comes with id, name, kind and parent.
    rolloutPhase: z.enum(ROLLOUT_PHASES).optional(),
    directoryScope: z.enum(DIRECTORY_SCOPES).optional(),
    visibleInstitutionIds: z.array(z.string()).optional(),
    users: z.number().int().optional(),
    createdAt: isoDateTime().optional(),
    updatedAt: isoDateTime().optional(),
  }),
);
export const InstitutionList = named('InstitutionList', z.object({ institutions: z.array(Institution) }));
const fields = {
  name: z.string().trim().min(2).max(200),
  kind: z.enum(INSTITUTION_KINDS).optional(),
  parentId: Uuid.nullable().optional(),
  rolloutPhase: z.enum(ROLLOUT_PHASES).optional(),
  directoryScope: z.enum(DIRECTORY_SCOPES).optional(),
  visibleInstitutionIds: z.array(Uuid).max(500).optional(),
};
export const CreateInstitution = named('CreateInstitution', z.object(fields).strict(), 'input');
export const UpdateInstitution = named(
  'UpdateInstitution',
  z.object({ ...fields, name: fields.name.optional() }).strict(),
  'input',
);

export const DirectoryQuery = z.object({
  q: z.string().trim().min(2, 'type at least 2 characters').max(100),
  institution: Uuid.optional(),
  limit: z.coerce.number().int().min(1).max(25).default(25),
  offset: z.coerce.number().int().min(0).default(0),
});
export const DirectoryEntry = named(
  'DirectoryEntry',
  z.object({
    id: z.string(),
    displayName: z.string(),
    designation: z.string().nullable(),
    institutionId: z.string().nullable(),
    institution: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
  }),
);
export const DirectoryPage = named(
  'DirectoryPage',
  z.object({ entries: z.array(DirectoryEntry), total: z.number().int() }),
);

/** People search from an official's device: a name (or a word of it) or username prefix, a few results. */
export const PeopleQuery = z
  .object({
    q: z.string().trim().min(2, 'type at least 2 characters').max(64),
    limit: z.coerce.number().int().min(1).max(20).default(10),
  })
  .strict();
export const Person = named(
  'Person',
  z.object({
    userId: z.string(),
    displayName: z.string(),
    designation: z.string().nullable(),
    institutionId: z.string().nullable(),
    institution: z.string().nullable(),
  }),
);
export const PeoplePage = named('PeoplePage', z.object({ people: z.array(Person) }));
