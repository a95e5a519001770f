import { ConfirmButton } from '../../components/ConfirmButton';
import { ACTIONS_COLUMN, QueryTable } from '../../components/QueryTable';
import { StatusPill } from '../../components/StatusPill';
import { useApiMutation, useApiQuery } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { api, unwrap } from '../../api/client';
import type { DeviceCommand, DeviceDetail } from './types';
import { COMMAND_STATE_TONE, COMMAND_TEXT } from './labels';
import { DEVICES_KEY, deviceQueries } from './queries';
import { SendCommand } from './SendCommand';

/** While a command is queued or delivered, re-read the history this often to show its acknowledgement. */
const OPEN_POLL_MS = 5_000;

const isOpen = (c: DeviceCommand) => c.state === 'queued' || c.state === 'delivered';

export function CommandsSection({ device, canSend }: { device: DeviceDetail; canSend: boolean }) {
  const history = useApiQuery({
    ...deviceQueries.commands(device.id),
    refetchInterval: (q) => (q.state.data?.commands.some(isOpen) ? OPEN_POLL_MS : false),
  });
  return (
    <section aria-labelledby="commands-heading">
      <div className="section-header">
        <h2 id="commands-heading">Commands</h2>
      </div>
      {canSend && (device.state === 'active' || device.state === 'lost') ? (
        <SendCommand device={device} />
      ) : null}
      <QueryTable
        query={history}
        failureTitle="Could not load the command history"
        caption="Command history"
        columns={['Command', 'State', 'Sent by', 'Created', 'Delivered', 'Acknowledged', ACTIONS_COLUMN]}
        compact
        rows={history.data?.commands}
        renderRow={(c) => <CommandRow key={c.id} command={c} canCancel={canSend} />}
        empty="No command has been sent to this handset."
      />
    </section>
  );
}

function CommandRow({ command: c, canCancel }: { command: DeviceCommand; canCancel: boolean }) {
  const cancel = useApiMutation({
    run: () =>
      unwrap(
        api.POST('/api/v1/devices/{id}/commands/{commandId}/cancel', {
          params: { path: { id: c.deviceId, commandId: c.id } },
        }),
      ),
    invalidates: [DEVICES_KEY],
  });
  const params = Object.entries(c.params ?? {});
  return (
    <tr>
      <td>
        {COMMAND_TEXT[c.type] ?? c.type}
        {params.length ? (
          <>
            {' '}
            <code className="muted small">{params.map(([k, v]) => `${k}=${String(v)}`).join(' ')}</code>
          </>
        ) : null}
      </td>
      <td>
        <StatusPill value={c.state} tone={COMMAND_STATE_TONE[c.state] ?? 'neutral'} />
        {c.result?.detail ? <span className="muted small"> {c.result.detail}</span> : null}
      </td>
      <td title={c.createdBy.name}>{c.createdBy.displayName}</td>
      <td className="nowrap">{formatDateTime(c.createdAt)}</td>
      <td className="nowrap">
        {c.deliveredAt ? formatDateTime(c.deliveredAt) : <span className="muted">—</span>}
      </td>
      <td className="nowrap">
        {c.acknowledgedAt ? formatDateTime(c.acknowledgedAt) : <span className="muted">—</span>}
      </td>
      <td>
        {canCancel && c.state === 'queued' ? (
          <ConfirmButton
            label="Cancel"
            accessibleName={`Cancel the ${COMMAND_TEXT[c.type] ?? c.type} command`}
            question="Cancel this command? The handset has not fetched it yet."
            confirmLabel="Cancel the command"
            busyLabel="Cancelling…"
            errorTitle="The command was not cancelled"
            small
            onConfirm={async () => {
              await cancel.run(undefined);
            }}
          />
        ) : null}
      </td>
    </tr>
  );
}
