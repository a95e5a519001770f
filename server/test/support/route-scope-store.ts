import { buildApk, makeSigner } from '@pakawaaz/apk';
import type { TestServer } from './test-server.js';

/*
 * Institution A's rows in the app store, for the route-scope test: real rows a leaking route would answer
 * with, where ids that do not exist would be a 404 whatever the scope check did. A developer organisation of
 * A, an app of it with a signed APK (built and signed here, verified by the server's own inspector), its
 * version 1 approved by A's reviewer (so in A's catalogue) with a running rollout to A, and version 2 in
 * review (the review queue's row).
 */
export type StoreOfA = {
  org: string;
  app: string;
  /** Approved, stable, in A's catalogue, rolled out to A. */
  approved: string;
  /** In review. */
  inReview: string;
  rollout: string;
  apkSha256: string;
  /** A's app reviewer (a person: four eyes, the uploader is the administrator), who sees all of the above. */
  reviewerToken: string;
};

export const STORE_PACKAGE_OF_A = 'gov.pk.scope.a.records';
const APK_MEDIA_TYPE = 'application/vnd.android.package-archive';

type Seeding = {
  server: TestServer;
  admin: string;
  adminId: string;
  institution: string;
  /** Creates an operator of A with these roles and returns a signed-in bearer token. */
  reviewer: () => Promise<string>;
};

export async function seedStoreOfA({
  server,
  admin,
  adminId,
  institution,
  reviewer,
}: Seeding): Promise<StoreOfA> {
  const json = <T>(method: string, path: string, body?: unknown, token = admin) =>
    server.json<T>(method, path, { token, body });
  const org = (
    await json<{ id: string }>('POST', '/api/v1/store/orgs', {
      name: 'Scope A IT',
      institutionId: institution,
    })
  ).id;
  await json('POST', `/api/v1/store/orgs/${org}/members`, { userId: adminId });
  const signer = await makeSigner({ algorithm: 'ec-p256', subject: 'CN=Scope A IT' });
  const publish = async (versionCode: number) => {
    const apk = await buildApk({
      manifest: {
        package: STORE_PACKAGE_OF_A,
        versionCode,
        versionName: `1.${versionCode}`,
        minSdk: 29,
        targetSdk: 35,
        permissions: ['android.permission.INTERNET'],
        usesCleartextTraffic: false,
      },
      signers: [signer],
    });
    const res = await fetch(`${server.url}/api/v1/store/apps/versions?track=stable&org=${org}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': APK_MEDIA_TYPE },
      body: apk,
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`publishing A's APK: ${res.status} ${text}`);
    return JSON.parse(text) as { app: { id: string }; version: { id: string; apkSha256: string } };
  };
  const reviewerToken = await reviewer();
  const first = await publish(1);
  await json(
    'POST',
    `/api/v1/store/versions/${first.version.id}/reviews`,
    { decision: 'approve', reason: 'route-scope: A approves its own' },
    reviewerToken,
  );
  const second = await publish(2);
  const rollout = await json<{ id: string }>(
    'POST',
    '/api/v1/store/rollouts',
    { versionId: first.version.id, institutionId: institution, percent: 5 },
    reviewerToken,
  );
  // Paused: the rollout engine leaves A's handsets alone while B tries its hand (their commands are compared).
  await json('POST', `/api/v1/store/rollouts/${rollout.id}/pause`, undefined, reviewerToken);
  return {
    org,
    app: first.app.id,
    approved: first.version.id,
    inReview: second.version.id,
    rollout: rollout.id,
    apkSha256: first.version.apkSha256,
    reviewerToken,
  };
}

/** What of A's store a principal of B must never be told. */
export const storeMarkersOfA = (s: StoreOfA) => [
  s.org,
  s.app,
  s.approved,
  s.inReview,
  s.rollout,
  s.apkSha256,
  STORE_PACKAGE_OF_A,
];

/** A's store as the super-admin sees it: whatever B does, this must not change. */
export async function storeSnapshotOfA(server: TestServer, admin: string, s: StoreOfA): Promise<unknown> {
  const get = <T>(path: string) => server.json<T>('GET', path, { token: admin });
  const [{ apps }, versions, rollout, { orgs }] = await Promise.all([
    get<{ apps: { id: string }[] }>('/api/v1/store/apps'),
    get(`/api/v1/store/apps/${s.app}/versions`),
    get<{ state: string; percent: number }>(`/api/v1/store/rollouts/${s.rollout}`),
    get<{ orgs: unknown[] }>('/api/v1/store/orgs'),
  ]);
  return {
    app: apps.find((a) => a.id === s.app),
    versions,
    rollout: [rollout.state, rollout.percent],
    orgs: orgs.length,
  };
}
