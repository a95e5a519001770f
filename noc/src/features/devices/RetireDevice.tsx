import { api, unwrap } from '../../api/client';
import type { DeviceDetail } from './types';
import { ConfirmedDeviceAction } from './ConfirmedDeviceAction';

/**
 * Retire a handset for good (returned, broken, replaced): its certificate is revoked and it can no longer
 * check in. Needs a reason (audited) and the handset's serial typed out.
 */
export function RetireDevice({ device }: { device: DeviceDetail }) {
  return (
    <ConfirmedDeviceAction
      device={device}
      id="retire"
      heading="Retire this handset"
      lead={
        <>
          A retired handset&apos;s certificate is revoked at once and it can no longer check in or sign its
          official in. The official can be given another handset with a new enrolment token.
        </>
      }
      openLabel="Retire…"
      errorTitle="The handset was not retired"
      submitLabel="Retire the handset"
      busyLabel="Retiring…"
      reason={{
        label: 'Reason',
        hint: 'Kept in the audit log, e.g. “returned, screen broken”.',
        required: true,
      }}
      run={(reason) =>
        unwrap(
          api.POST('/api/v1/devices/{id}/retire', { params: { path: { id: device.id } }, body: { reason } }),
        )
      }
    />
  );
}
