import { useState } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field, Form } from '../../components/Form';
import { PageHeader } from '../../components/PageHeader';
import { StatusPill } from '../../components/StatusPill';
import { api, unwrap } from '../../api/client';
import { useApiMutation, useApiQuery } from '../../data/hooks';
import { Link, navigate } from '../../router';
import { typedList } from '../../format';
import { useDeviceAccess } from './access';
import { CompliancePill } from './labels';
import { PolicyEditor } from './PolicyEditor';
import { DEVICE_GROUPS_KEY, DEVICES_KEY, deviceQueries } from './queries';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Splits what was typed into device ids and officials' usernames (one per line or comma). */
export function membersOf(text: string): { devices: string[]; officials: string[] } {
  const refs = typedList(text);
  return { devices: refs.filter((r) => UUID.test(r)), officials: refs.filter((r) => !UUID.test(r)) };
}

/** One device group: its handsets (add by official or device id, remove), name, and its own policy. */
export function DeviceGroupPage({ id }: { id: string }) {
  const access = useDeviceAccess();
  const group = useApiQuery(deviceQueries.group(id));
  const policy = useApiQuery(deviceQueries.groupPolicy(id));
  const [refs, setRefs] = useState('');
  const invalidates = [DEVICE_GROUPS_KEY, DEVICES_KEY];
  const add = useApiMutation({
    run: () => {
      const m = membersOf(refs);
      const body = {
        ...(m.devices.length ? { devices: m.devices } : {}),
        ...(m.officials.length ? { officials: m.officials } : {}),
      };
      return unwrap(api.POST('/api/v1/device-groups/{id}/members', { params: { path: { id } }, body }));
    },
    invalidates,
    onSuccess: () => setRefs(''),
  });
  const remove = useApiMutation({
    run: (deviceId: string) =>
      unwrap(
        api.DELETE('/api/v1/device-groups/{id}/members/{deviceId}', { params: { path: { id, deviceId } } }),
      ),
    invalidates,
  });
  const del = useApiMutation({
    run: () => unwrap(api.DELETE('/api/v1/device-groups/{id}', { params: { path: { id } } })),
    invalidates,
    onSuccess: () => navigate('/devices/groups'),
  });
  const g = group.data;
  const p = policy.data;

  if (group.error)
    return (
      <>
        <h1>Device group not found</h1>
        <ErrorNotice error={group.error} title="Could not load the group" onRetry={group.refresh} />
      </>
    );
  return (
    <>
      <p className="breadcrumb">
        <Link to="/devices/groups">← Device groups</Link>
      </p>
      <PageHeader
        title={g ? g.name : 'Device group'}
        subtitle={
          g ? (
            <>
              {g.members} handsets · policy version {g.policy.version} (
              {g.policy.source === 'group' ? 'its own' : `the ${g.policy.source} policy`})
            </>
          ) : null
        }
      >
        {access.manage && g ? (
          <button
            type="button"
            className="button button-secondary"
            disabled={del.pending}
            onClick={() => {
              if (
                window.confirm(
                  `Delete the group “${g.name}”? Its handsets follow the institution’s policy again.`,
                )
              )
                del.start(undefined);
            }}
          >
            Delete group
          </button>
        ) : null}
      </PageHeader>
      {g ? (
        <section className="card cards-spaced" aria-labelledby="members-heading">
          <h2 id="members-heading">Handsets</h2>
          {remove.error ? <ErrorNotice error={remove.error} title="The handset was not removed" /> : null}
          {g.devices.length === 0 ? <p className="muted">No handsets in this group.</p> : null}
          {g.devices.length > 0 ? (
            <table className="table" aria-label="Group members">
              <thead>
                <tr>
                  <th scope="col">Official</th>
                  <th scope="col">Model</th>
                  <th scope="col">Compliance</th>
                  <th scope="col">Device</th>
                  {access.manage ? <th scope="col">Actions</th> : null}
                </tr>
              </thead>
              <tbody>
                {g.devices.map((d) => (
                  <tr key={d.id}>
                    <td>{d.official.username ?? d.official.id}</td>
                    <td>{d.model ?? '—'}</td>
                    <td>
                      <CompliancePill state={d.compliance} reasons={[]} />
                    </td>
                    <td>
                      <Link to={`/devices/${d.id}`}>{d.imei ?? d.id}</Link>
                    </td>
                    {access.manage ? (
                      <td>
                        <button
                          type="button"
                          className="button button-secondary button-small"
                          aria-label={`Remove ${d.official.username ?? d.id} from the group`}
                          disabled={remove.pending}
                          onClick={() => remove.start(d.id)}
                        >
                          Remove
                        </button>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {access.manage ? (
            <Form
              onSubmit={() => add.start(undefined)}
              pending={add.pending}
              error={add.error}
              errorTitle="No handset was added"
              submitLabel="Add to the group"
              busyLabel="Adding…"
              disabled={!refs.trim()}
              ariaLabel="Add handsets"
            >
              <Field
                id="group-add"
                label="Officials or device ids"
                hint="Usernames (all their handsets) or device ids, separated by commas or new lines. A handset in another group moves here."
              >
                <textarea id="group-add" rows={2} value={refs} onChange={(e) => setRefs(e.target.value)} />
              </Field>
            </Form>
          ) : null}
        </section>
      ) : null}
      {policy.error ? (
        <ErrorNotice error={policy.error} title="Could not load the policy" onRetry={policy.refresh} />
      ) : null}
      {p ? (
        <>
          <p>
            Policy in force:{' '}
            <StatusPill
              value={`version ${p.version} (${p.source})`}
              tone={p.source === 'group' ? 'good' : 'neutral'}
            />
          </p>
          <PolicyEditor
            key={`${id}:${p.version}:${p.source}`}
            scope={`group:${id}`}
            groupId={id}
            policy={p}
            readOnly={!access.manage}
            onReload={policy.refresh}
          />
        </>
      ) : null}
    </>
  );
}
