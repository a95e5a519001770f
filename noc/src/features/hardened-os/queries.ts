import { api, unwrap, type Schemas } from '../../api/client';
import { apiQuery } from '../../data/hooks';

export type OsRelease = Schemas['OsRelease'];
export type BootKey = Schemas['BootKey'];
export type DeviceModel = Schemas['DeviceModel'];

export const osKeys = {
  models: ['os', 'models'] as const,
  bootKeys: ['os', 'boot-keys'] as const,
  releases: ['os', 'releases'] as const,
  floors: ['os', 'patch-floors'] as const,
  rollouts: ['os', 'rollouts'] as const,
};

export const osQueries = {
  models: () => apiQuery(osKeys.models, (signal) => unwrap(api.GET('/api/v1/os/models', { signal }))),
  bootKeys: () =>
    apiQuery(osKeys.bootKeys, (signal) =>
      unwrap(api.GET('/api/v1/os/boot-keys', { params: { query: {} }, signal })),
    ),
  releases: () =>
    apiQuery(osKeys.releases, (signal) =>
      unwrap(api.GET('/api/v1/os/releases', { params: { query: {} }, signal })),
    ),
  floors: () => apiQuery(osKeys.floors, (signal) => unwrap(api.GET('/api/v1/os/patch-floors', { signal }))),
  rollouts: () => apiQuery(osKeys.rollouts, (signal) => unwrap(api.GET('/api/v1/os/rollouts', { signal }))),
};
