import { api, unwrap, type Schemas } from '../../api/client';
import { apiQuery } from '../../data/hooks';

export type ProfileTemplate = Schemas['ProfileTemplate'];

export const profileKeys = { all: ['subscriber-profiles'] as const };

export const profileQueries = {
  /** Shared by the Profiles page, the subscriber filters and the assign form, so all selects agree. */
  list: () =>
    apiQuery(profileKeys.all, (signal) => unwrap(api.GET('/api/v1/subscriber-profiles', { signal }))),
};
