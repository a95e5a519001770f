import { api, unwrap } from '../../api/client';
import type { DeviceDetail } from './types';
import { ConfirmedDeviceAction } from './ConfirmedDeviceAction';

/**
 * Declare a handset lost (stolen, gone): its certificates are revoked at once (CRL) and its SIM barred, so it
 * can no longer check in, receive commands or sign its official in. A handset that is found is enrolled again.
 * Locate or wipe it first if it may still be reached: once lost it obeys nothing. Needs the serial typed out.
 */
export function MarkLostDevice({ device }: { device: DeviceDetail }) {
  return (
    <ConfirmedDeviceAction
      device={device}
      id="lost"
      heading="Declare this handset lost"
      lead={
        <>
          A lost handset&apos;s certificate is revoked at once and its SIM barred: it can no longer check in,
          receive commands or sign its official in. Send a locate or wipe first if it may still be reached. If
          it is found, it is enrolled again with a new enrolment token.
        </>
      }
      openLabel="Declare lost…"
      errorTitle="The handset was not declared lost"
      submitLabel="Declare the handset lost"
      busyLabel="Revoking…"
      reason={{
        label: 'Reason (optional)',
        hint: 'Kept in the audit log, e.g. “stolen on 3 May”.',
        required: false,
      }}
      run={(reason) =>
        unwrap(
          api.POST('/api/v1/devices/{id}/lost', {
            params: { path: { id: device.id } },
            body: reason ? { reason } : {},
          }),
        )
      }
    />
  );
}
