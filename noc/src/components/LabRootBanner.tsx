import { inApi, usePermissions } from '../auth/permissions';
import { useApiQuery } from '../data/hooks';
import { useDeviceAccess } from '../features/devices/access';
import { deviceQueries } from '../features/devices/queries';
import { systemQueries } from '../features/system/queries';

const SUMMARY = 'GET /api/v1/devices/summary';

/** `trustsLabAttestationRoot: true` in a reply that carries it (absent: the server does not say, no banner). */
const trustsLab = (reply: unknown): boolean =>
  typeof reply === 'object' &&
  reply !== null &&
  'trustsLabAttestationRoot' in reply &&
  reply.trustsLabAttestationRoot === true;

/**
 * While the server trusts the lab attestation root (PAKAWAAZ_TRUST_LAB_ROOT=1), any simulated handset can
 * enrol: every page says so. National operators read it from the system status; an institution's device
 * operators, who may not read that, from the fleet summary.
 */
export function LabRootBanner() {
  const { can } = usePermissions();
  const devices = useDeviceAccess();
  const national = can('GET /api/v1/system');
  const system = useApiQuery(systemQueries.status(), { enabled: national });
  const summary = useApiQuery(deviceQueries.summary(), {
    enabled: !national && devices.read && inApi(SUMMARY),
  });
  if (!trustsLab(national ? system.data : summary.data)) return null;
  return (
    <aside className="shell-banner notice notice-warn" aria-label="Lab attestation root trusted">
      <strong className="notice-title">Simulated handsets can enrol</strong>
      <p className="notice-message">
        Demo/test: this server trusts the lab attestation root — simulated handsets can enrol. Never run a
        production fleet like this (unset PAKAWAAZ_TRUST_LAB_ROOT).
      </p>
    </aside>
  );
}
