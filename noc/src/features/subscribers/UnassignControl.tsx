import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { Permitted } from '../../auth/permissions';
import { ConfirmButton } from '../../components/ConfirmButton';
import { navigate } from '../../router';
import { subscriberKeys, type Subscriber } from './queries';

/** Unassign behind a confirmation: the SIM returns to the inventory and leaves Open5GS. */
export function UnassignControl({ subscriber }: { subscriber: Subscriber }) {
  const client = useQueryClient();
  const who = subscriber.username
    ? `${subscriber.displayName} (${subscriber.username})`
    : subscriber.displayName;
  return (
    <Permitted operation="DELETE /api/v1/subscribers/{imsi}" explain="Unassigning the SIM">
      <div className="card-actions">
        <ConfirmButton
          label="Unassign SIM"
          question={`Take SIM ${subscriber.imsi} away from ${who}? It loses network access and goes back to the inventory as available.`}
          confirmLabel="Confirm unassign"
          busyLabel="Unassigning…"
          errorTitle="The SIM was not unassigned"
          onConfirm={async () => {
            await unwrap(
              api.DELETE('/api/v1/subscribers/{imsi}', { params: { path: { imsi: subscriber.imsi } } }),
            );
            client.removeQueries({ queryKey: subscriberKeys.one(subscriber.imsi) });
            await client.invalidateQueries({ queryKey: subscriberKeys.all });
            navigate('/subscribers');
          }}
        />
      </div>
    </Permitted>
  );
}
