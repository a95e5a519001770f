import { useState } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field, Form } from '../../components/Form';
import { InstitutionSelect } from '../../components/InstitutionSelect';
import { api, unwrap } from '../../api/client';
import { PageHeader } from '../../components/PageHeader';
import { useApiMutation, useApiQuery } from '../../data/hooks';
import { Link, navigate } from '../../router';
import { useInstitutions } from '../institutions/queries';
import { useDeviceAccess } from './access';
import { InstitutionLabel } from './labels';
import { DEVICE_GROUPS_KEY, deviceQueries } from './queries';

/** Device groups of the operator's institutions (national: all): their size, and a form to make one. */
export function DeviceGroupsPage() {
  const access = useDeviceAccess();
  const { institutions } = useInstitutions();
  const groups = useApiQuery(deviceQueries.groups());
  const [name, setName] = useState('');
  const [institution, setInstitution] = useState('');
  const pickInstitution = !access.institutionOperator || access.institutionIds.length > 1;
  const create = useApiMutation({
    run: () =>
      unwrap(
        api.POST('/api/v1/device-groups', {
          body: { name: name.trim(), ...(institution ? { institutionId: institution } : {}) },
        }),
      ),
    invalidates: [DEVICE_GROUPS_KEY],
    onSuccess: (g) => navigate(`/devices/groups/${g.id}`),
  });
  const nameOf = (id: string) => institutions.find((i) => i.id === id)?.name ?? null;

  return (
    <>
      <p className="breadcrumb">
        <Link to="/devices">← Devices</Link>
      </p>
      <PageHeader
        title="Device groups"
        subtitle={
          <>
            Groups of an institution&apos;s handsets (“Field officers”, “Cabinet”), each handset in one group
            at most. A group may have a policy of its own in place of the institution&apos;s — never weaker
            than the national policy.
          </>
        }
      />
      {groups.error ? (
        <ErrorNotice error={groups.error} title="Could not load the groups" onRetry={groups.refresh} />
      ) : null}
      <section className="card cards-spaced" aria-labelledby="groups-heading">
        <h2 id="groups-heading">Groups</h2>
        {groups.data && groups.data.groups.length === 0 ? (
          <p className="muted">No device groups yet.</p>
        ) : null}
        {groups.data && groups.data.groups.length > 0 ? (
          <table className="table" aria-label="Device groups">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Institution</th>
                <th scope="col">Handsets</th>
              </tr>
            </thead>
            <tbody>
              {groups.data.groups.map((g) => (
                <tr key={g.id}>
                  <td>
                    <Link to={`/devices/groups/${g.id}`}>{g.name}</Link>
                  </td>
                  <td>
                    <InstitutionLabel id={g.institutionId} name={nameOf(g.institutionId)} />
                  </td>
                  <td>{g.members}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      {access.manage ? (
        <section className="card form-card" aria-labelledby="new-group-heading">
          <h2 id="new-group-heading">New group</h2>
          <Form
            onSubmit={() => create.start(undefined)}
            pending={create.pending}
            error={create.error}
            errorTitle="The group was not created"
            submitLabel="Create group"
            busyLabel="Creating…"
            disabled={!name.trim() || (pickInstitution && !institution)}
            ariaLabel="New device group"
          >
            <Field id="group-name" label="Name">
              <input
                id="group-name"
                required
                maxLength={80}
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </Field>
            {pickInstitution ? (
              <Field id="group-institution" label="Institution">
                <InstitutionSelect
                  id="group-institution"
                  value={institution}
                  onChange={setInstitution}
                  institutions={
                    access.institutionOperator
                      ? institutions.filter((i) => access.institutionIds.includes(i.id))
                      : institutions
                  }
                  noneLabel="Choose…"
                />
              </Field>
            ) : null}
          </Form>
        </section>
      ) : null}
    </>
  );
}
