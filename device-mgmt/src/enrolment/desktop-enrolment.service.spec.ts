import type { Principal } from '@pakawaaz/platform';
import { describe, expect, it, vi } from 'vitest';
import { DesktopEnrolmentService } from './desktop-enrolment.service.js';

const official = {
  actor: { type: 'official', id: 'u1' },
  institutionId: 'inst-a',
  roles: [],
  acr: 'aal2',
  authTime: Math.floor(Date.now() / 1000),
} as unknown as Principal;

describe('desktop enrolment and the allowDesktop policy', () => {
  it('re-checks the policy inside the insert transaction, under the policy versions lock', async () => {
    const order: string[] = [];
    const insertDevice = vi.fn(() => Promise.resolve());
    const repo = {
      transaction: (fn: (tx: unknown) => Promise<unknown>) => fn({}),
      holdPolicyVersions: () => Promise.resolve(void order.push('lock')),
      liveDesktops: () => Promise.resolve(0),
      insertDevice,
    };
    // The request's first read is from before an operator turned `allowDesktop` off; the change committed
    // before the insert's transaction began.
    let reads = 0;
    const policies = {
      effective: () => {
        order.push('read');
        return Promise.resolve({ version: reads + 1, settings: { allowDesktop: reads++ === 0 } });
      },
    };
    const svc = new DesktopEnrolmentService(
      repo as never,
      { csr: () => Promise.resolve({}) } as never,
      { issue: () => Promise.resolve({ pem: '', serial: '1' }), caPems: () => [] } as never,
      { find: () => Promise.resolve({ status: 'active', kind: 'official' }) } as never,
      policies as never,
      { record: () => Promise.resolve() } as never,
      { desktopEnrolment: { maxAuthAgeSeconds: 300, acr: 'aal2' } },
    );
    await expect(svc.enrol(official, new Uint8Array(), 'r1')).rejects.toMatchObject({
      code: 'desktop_devices_forbidden',
    });
    expect(insertDevice).not.toHaveBeenCalled();
    expect(order).toEqual(['read', 'lock', 'read']);
  });
});
