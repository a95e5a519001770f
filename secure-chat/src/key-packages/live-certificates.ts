import type { DeviceAuthentication } from '@pakawaaz/platform';
import type { DeviceCertificate } from './key-packages.repository.js';

/** A certificate a device published KeyPackages under, with its newest package's time. */
export type PublishedUnder = DeviceCertificate & { newest: Date };

export type LiveCertificates = {
  /** Per device, the certificate that authenticates it now (its newest one if several do): claimable. */
  live: DeviceCertificate[];
  /** Certificates whose packages are never handed out again: a renewal replaced them, or a newer live one. */
  stale: DeviceCertificate[];
  /** Devices with stale packages: their stock under the live certificate (none if it has no package) counts. */
  touched: Set<string>;
};

/**
 * Sorts the certificates an official's devices published under by what authenticating each answered (same
 * order): only a device's live certificate is claimable. One revoked as superseded (a renewal; the device in
 * service) is stale, as is any older one of a device that has a live one. One refused otherwise (revoked for
 * cause, expired, a retired device) is neither: not claimable, its packages left to removal and expiry.
 */
export function liveCertificates(
  published: readonly PublishedUnder[],
  auths: readonly DeviceAuthentication[],
): LiveCertificates {
  const order = published.map((p, i) => ({ p, auth: auths[i]! }));
  order.sort((a, b) => b.p.newest.getTime() - a.p.newest.getTime());
  const live = new Map<string, DeviceCertificate>();
  const stale: DeviceCertificate[] = [];
  for (const { p, auth } of order) {
    const cert = { deviceId: p.deviceId, certThumbprint: p.certThumbprint };
    if (auth.ok && auth.device.deviceId === p.deviceId) {
      if (live.has(p.deviceId)) stale.push(cert);
      else live.set(p.deviceId, cert);
    } else if (!auth.ok && auth.replaced?.deviceId === p.deviceId) stale.push(cert);
  }
  return { live: [...live.values()], stale, touched: new Set(stale.map((s) => s.deviceId)) };
}
