import { api, unwrap } from '../../api/client';
import { apiQuery } from '../../data/hooks';
import type { ComplianceState, DeviceState } from './types';

export const PAGE_SIZE = 25;

/** The devices list's filters, as they appear in the page address (`page` too, so a page can be linked). */
export type DeviceFilters = {
  q: string;
  institution: string;
  compliance: string;
  model: string;
  patchLevel: string;
  state: string;
  page: string;
};

export const NO_DEVICE_FILTERS: DeviceFilters = {
  q: '',
  institution: '',
  compliance: '',
  model: '',
  patchLevel: '',
  state: '',
  page: '1',
};

export const pageOf = (f: DeviceFilters): number => {
  const n = Number.parseInt(f.page, 10);
  return Number.isFinite(n) && n > 0 ? n : 1;
};

/** Every device read is under this key: a command, a retirement or a new enrolment refreshes them all. */
export const DEVICES_KEY = ['devices'] as const;
export const ENROLMENT_TOKENS_KEY = ['enrolment-tokens'] as const;
export const DEVICE_POLICIES_KEY = ['device-policies'] as const;
export const DEVICE_GROUPS_KEY = ['device-groups'] as const;

export const deviceKeys = {
  list: (f: DeviceFilters) => [...DEVICES_KEY, 'list', f] as const,
  summary: [...DEVICES_KEY, 'summary'] as const,
  os: [...DEVICES_KEY, 'os'] as const,
  one: (id: string) => [...DEVICES_KEY, 'one', id] as const,
  commands: (id: string) => [...DEVICES_KEY, 'commands', id] as const,
};

function listQuery(f: DeviceFilters) {
  const text = (v: string) => (v.trim() ? v.trim() : undefined);
  return {
    limit: PAGE_SIZE,
    offset: (pageOf(f) - 1) * PAGE_SIZE,
    q: text(f.q),
    institution: text(f.institution),
    compliance: text(f.compliance) as ComplianceState | undefined,
    model: text(f.model),
    patchLevel: text(f.patchLevel),
    state: text(f.state) as DeviceState | undefined,
  };
}

export const deviceQueries = {
  list: (f: DeviceFilters) =>
    apiQuery(deviceKeys.list(f), (signal) =>
      unwrap(api.GET('/api/v1/devices', { params: { query: listQuery(f) }, signal })),
    ),
  summary: () =>
    apiQuery(deviceKeys.summary, (signal) => unwrap(api.GET('/api/v1/devices/summary', { signal }))),
  os: () => apiQuery(deviceKeys.os, (signal) => unwrap(api.GET('/api/v1/devices/os', { signal }))),
  one: (id: string) =>
    apiQuery(deviceKeys.one(id), (signal) =>
      unwrap(api.GET('/api/v1/devices/{id}', { params: { path: { id } }, signal })),
    ),
  commands: (id: string) =>
    apiQuery(deviceKeys.commands(id), (signal) =>
      unwrap(api.GET('/api/v1/devices/{id}/commands', { params: { path: { id } }, signal })),
    ),
  enrolmentTokens: () =>
    apiQuery(ENROLMENT_TOKENS_KEY, (signal) => unwrap(api.GET('/api/v1/enrolment-tokens', { signal }))),
  groups: () =>
    apiQuery([...DEVICE_GROUPS_KEY, 'list'], (signal) =>
      unwrap(api.GET('/api/v1/device-groups', { signal })),
    ),
  group: (id: string) =>
    apiQuery([...DEVICE_GROUPS_KEY, 'one', id], (signal) =>
      unwrap(api.GET('/api/v1/device-groups/{id}', { params: { path: { id } }, signal })),
    ),
  groupPolicy: (id: string) =>
    apiQuery([...DEVICE_GROUPS_KEY, 'policy', id], (signal) =>
      unwrap(api.GET('/api/v1/device-groups/{id}/policy', { params: { path: { id } }, signal })),
    ),
  policy: (scope: string) =>
    apiQuery([...DEVICE_POLICIES_KEY, scope], (signal) =>
      unwrap(api.GET('/api/v1/device-policies/{scope}', { params: { path: { scope } }, signal })),
    ),
};
