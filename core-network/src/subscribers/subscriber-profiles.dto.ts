import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';
import { SubscriberProfile } from './profile.js';

export const ProfileTemplate = named(
  'ProfileTemplate',
  z.object({
    name: z.string(),
    description: z.string(),
    profile: SubscriberProfile,
    updatedAt: isoDateTime(),
  }),
);
export const ProfileTemplateList = named(
  'ProfileTemplateList',
  z.object({ profiles: z.array(ProfileTemplate) }),
);
export const SaveProfile = named(
  'SaveProfile',
  z.object({ description: z.string().max(500).default(''), profile: SubscriberProfile }).strict(),
  'input',
);
