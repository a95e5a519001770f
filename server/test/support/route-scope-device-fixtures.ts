import type { DeviceRowsOfA } from './route-scope-devices.js';

/**
 * What the device fixtures refer to: A's device rows, and A's official, institution and APK; `callerOfA`, the
 * device of A that calls in A's stead (A's handset, or A's desktop).
 */
export type DeviceScopeWorld = {
  d: DeviceRowsOfA;
  callerOfA: string;
  institutionA: string;
  officialA: { id: string; username: string };
  apkSha256A: string;
};

/**
 * A device operation as B's handset (and B's desktop) calls it. `refusedWith`: the request addresses a row of
 * A, and B's device gets 403/404 with this code — the scope check's, not an earlier refusal — and A's rows stay
 * as they were; otherwise it addresses the caller's own rows or none, and whatever it answers (below 500)
 * holds nothing of A's. `seenByA`: A's device, through the same request, gets a 2xx with these in it — the
 * rows are there to leak. Which devices may call it at all is the contract's (`x-pakawaaz-devices`): a desktop
 * where the operation does not let desktops in gets 401 device_certificate_refused (`not_a_handset`).
 */
export type DeviceFixture = {
  request: (x: DeviceScopeWorld) => { path: string; body?: unknown };
  refusedWith?: string;
  seenByA?: (x: DeviceScopeWorld) => string[];
};

const ZERO = 'AAAA';
/** An MLS variable-length vector (RFC 9420 §2.1.2) shorter than 64 bytes: a one-byte length. */
const vec = (b: number[]) => [b.length, ...b];
const MLS10 = [0, 1];
const EPOCH_ONE = [0, 0, 0, 0, 0, 0, 0, 1];
/**
 * A well-formed MLSMessage of A's group at epoch 1 (RFC 9420 §6), its cryptography empty: what the delivery
 * service decodes and routes by group before anything else — an application PrivateMessage, or a commit
 * PublicMessage from leaf 0. B's handset is no member, so neither goes further than the membership check.
 */
function mlsMessage(groupId: string, kind: 'application' | 'commit'): string {
  const group = [...vec([...Buffer.from(groupId, 'base64url')]), ...EPOCH_ONE];
  const empty = vec([]);
  const oneByte = vec([0]);
  const application = [0, 2, ...group, 1, ...empty, ...oneByte, ...oneByte]; // sender data, ciphertext
  const sender = [1, 0, 0, 0, 0]; // a member, leaf 0
  const content = [3, ...empty, 0]; // a commit of no proposals and no path
  const tags = [...oneByte, ...oneByte, ...oneByte]; // signature, confirmation and membership tags
  const commit = [0, 1, ...group, ...sender, ...empty, ...content, ...tags];
  return Buffer.from([...MLS10, ...(kind === 'application' ? application : commit)]).toString('base64url');
}
const call = (x: DeviceScopeWorld, tail = '') => ({ path: `/api/v1/chat/calls/${x.d.callA}${tail}` });
const group = (x: DeviceScopeWorld, tail = '', body?: unknown) => ({
  path: `/api/v1/chat/groups/${x.d.groupA}${tail}`,
  ...(body === undefined ? {} : { body }),
});
const file = (x: DeviceScopeWorld, tail = '') => ({ path: `/api/v1/chat/device/files/${x.d.fileA}${tail}` });

export const DEVICE_FIXTURES: Record<string, DeviceFixture> = {
  // Device management: B's handset sees its own commands and identity only, and acknowledges none of A's.
  'GET /api/v1/device/whoami': {
    request: () => ({ path: '/api/v1/device/whoami' }),
    seenByA: (x) => [x.callerOfA, x.officialA.id],
  },
  'POST /api/v1/device/check-in': {
    request: () => ({
      path: '/api/v1/device/check-in',
      body: {
        apps: [],
        osBuild: 'PKZ.250101.001',
        osVersion: '15',
        securityPatch: '2025-01-05',
        policyVersion: 0,
      },
    }),
    seenByA: (x) => [x.d.commandA],
  },
  'POST /api/v1/device/commands/{id}/ack': {
    request: (x) => ({ path: `/api/v1/device/commands/${x.d.commandA}/ack`, body: { state: 'succeeded' } }),
    refusedWith: 'command_not_found',
  },
  'POST /api/v1/device/attestation/challenge': {
    request: () => ({ path: '/api/v1/device/attestation/challenge' }),
  },
  'POST /api/v1/device/attestation': {
    request: () => ({
      path: '/api/v1/device/attestation',
      body: { challengeId: '00000000-0000-4000-8000-0000000000cc', attestationChain: [ZERO] },
    }),
  },
  'POST /api/v1/device/certificate': {
    request: () => ({ path: '/api/v1/device/certificate', body: { csr: ZERO } }),
  },
  // The store: B's catalogue offers nothing of A's, and A's APK is not B's to download.
  'GET /api/v1/store/catalogue': {
    request: () => ({ path: '/api/v1/store/catalogue' }),
    seenByA: (x) => [x.institutionA, x.apkSha256A],
  },
  'GET /api/v1/store/catalogue/diff': {
    request: () => ({ path: '/api/v1/store/catalogue/diff?from=0' }),
  },
  'GET /api/v1/store/apks/{sha256}': {
    request: (x) => ({ path: `/api/v1/store/apks/${x.apkSha256A}` }),
    refusedWith: 'apk_not_found',
    seenByA: () => [],
  },
  // Secure chat: A's group, its call and A's attachment are not said to exist to B's handset; A's official is
  // not one it may claim KeyPackages of, nor A's bot one it may reach.
  'GET /api/v1/directory/people': { request: () => ({ path: '/api/v1/directory/people?q=scope' }) },
  // A's bot is registered, not active: listed to no handset (it is a marker all the same).
  'GET /api/v1/chat/bot-directory': { request: () => ({ path: '/api/v1/chat/bot-directory' }) },
  'GET /api/v1/chat/external-sender': { request: () => ({ path: '/api/v1/chat/external-sender' }) },
  'POST /api/v1/chat/key-packages': {
    request: () => ({ path: '/api/v1/chat/key-packages', body: { keyPackages: [] } }),
  },
  'POST /api/v1/chat/key-packages/claim': {
    request: (x) => ({ path: '/api/v1/chat/key-packages/claim', body: { user: x.officialA.id } }),
    refusedWith: 'official_not_found',
    seenByA: (x) => [x.officialA.id],
  },
  'GET /api/v1/chat/inbox': { request: () => ({ path: '/api/v1/chat/inbox' }) },
  'POST /api/v1/chat/inbox/ack': { request: () => ({ path: '/api/v1/chat/inbox/ack', body: { upTo: 0 } }) },
  'POST /api/v1/chat/groups': { request: () => ({ path: '/api/v1/chat/groups', body: { groupInfo: ZERO } }) },
  'GET /api/v1/chat/groups/{groupId}': {
    request: (x) => group(x),
    refusedWith: 'group_not_found',
    seenByA: () => [],
  },
  'POST /api/v1/chat/groups/{groupId}/commits': {
    request: (x) =>
      group(x, '/commits', {
        clientId: 'scope-b-client',
        commit: mlsMessage(x.d.groupA, 'commit'),
        groupInfo: ZERO,
      }),
    refusedWith: 'group_not_found',
  },
  'POST /api/v1/chat/groups/{groupId}/messages': {
    request: (x) =>
      group(x, '/messages', { clientId: 'scope-b-client', message: mlsMessage(x.d.groupA, 'application') }),
    refusedWith: 'group_not_found',
  },
  'POST /api/v1/chat/groups/{groupId}/leave': {
    request: (x) => group(x, '/leave'),
    refusedWith: 'group_not_found',
  },
  'GET /api/v1/chat/calls': { request: () => ({ path: '/api/v1/chat/calls' }), seenByA: (x) => [x.d.callA] },
  'POST /api/v1/chat/calls': {
    request: (x) => ({ path: '/api/v1/chat/calls', body: { groupId: x.d.groupA } }),
    refusedWith: 'call_not_found',
  },
  'GET /api/v1/chat/calls/{callId}': {
    request: (x) => call(x),
    refusedWith: 'call_not_found',
    seenByA: (x) => [x.d.callA],
  },
  'POST /api/v1/chat/calls/{callId}/join': {
    request: (x) => call(x, '/join'),
    refusedWith: 'call_not_found',
  },
  'POST /api/v1/chat/calls/{callId}/leave': {
    request: (x) => call(x, '/leave'),
    refusedWith: 'call_not_found',
  },
  'POST /api/v1/chat/calls/{callId}/end': { request: (x) => call(x, '/end'), refusedWith: 'call_not_found' },
  // B's handset may not tag an upload with A's group (nothing is reserved); A's handset, its member, may.
  'POST /api/v1/chat/device/files': {
    request: (x) => ({
      path: '/api/v1/chat/device/files',
      body: { sizeBytes: 10, sha256: 'c'.repeat(64), groupId: x.d.groupA },
    }),
    refusedWith: 'group_not_found',
    seenByA: (x) => [x.d.groupA],
  },
  'GET /api/v1/chat/device/files/{id}': {
    request: (x) => file(x),
    refusedWith: 'upload_not_found',
    seenByA: (x) => [x.d.fileA],
  },
  'PATCH /api/v1/chat/device/files/{id}': { request: (x) => file(x), refusedWith: 'upload_not_found' },
  'POST /api/v1/chat/device/files/{id}/link': {
    request: (x) => file(x, '/link'),
    refusedWith: 'upload_not_found',
  },
  'DELETE /api/v1/chat/device/files/{id}': { request: (x) => file(x), refusedWith: 'upload_not_found' },
};
