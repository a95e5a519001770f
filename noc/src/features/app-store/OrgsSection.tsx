import { useState } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field, Form } from '../../components/Form';
import { InstitutionSelect } from '../../components/InstitutionSelect';
import { useApiMutation, useApiQuery } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { Permitted } from '../../auth/permissions';
import { useInstitutions } from '../institutions/queries';
import { OfficialPicker, type PickedOfficial } from '../subscribers/OfficialPicker';
import { storeKeys, storeQueries, storeWrites, type DeveloperOrg } from './queries';

function CreateOrgForm() {
  const { institutions } = useInstitutions();
  const [name, setName] = useState('');
  const [institutionId, setInstitutionId] = useState('');
  const write = useApiMutation({
    run: () => storeWrites.createOrg(name.trim(), institutionId || null),
    invalidates: [storeKeys.orgs],
    onSuccess: () => setName(''),
  });
  return (
    <Form
      ariaLabel="New developer organisation"
      onSubmit={() => write.start(undefined)}
      pending={write.pending}
      error={write.error}
      errorTitle="Could not create the organisation"
      submitLabel="Create organisation"
      busyLabel="Creating…"
      disabled={name.trim().length === 0}
      status={write.result ? `Created ${write.result.name}.` : null}
    >
      <Field id="org-name" label="Name">
        <input
          id="org-name"
          required
          maxLength={120}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
      </Field>
      <Field
        id="org-institution"
        label="Institution"
        hint="A vendor belongs to no institution (needs a national reviewer)."
      >
        <InstitutionSelect
          id="org-institution"
          value={institutionId}
          onChange={setInstitutionId}
          institutions={institutions}
          noneLabel="None (a vendor)"
          describedBy="org-institution-hint"
        />
      </Field>
    </Form>
  );
}

/** Add a developer, chosen by name (the API takes the user id). */
function AddMemberForm({ org }: { org: DeveloperOrg }) {
  const [person, setPerson] = useState<PickedOfficial | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const write = useApiMutation({
    run: (p: PickedOfficial) => storeWrites.addMember(org.id, p.id),
    onSuccess: (result, p) => {
      setAdded(`Added ${p.displayName}; ${result.userIds.length} member(s) in ${org.name}.`);
      setPerson(null);
    },
  });
  const id = `org-member-${org.id}`;
  return (
    <Form
      ariaLabel={`Add a developer to ${org.name}`}
      onSubmit={() => person && write.start(person)}
      pending={write.pending}
      error={write.error}
      errorTitle="Could not add the developer"
      submitLabel="Add developer"
      busyLabel="Adding…"
      disabled={!person}
      status={added}
    >
      <Field id={id} label="Person" hint="Type part of their name or username.">
        <OfficialPicker
          key={added ?? ''}
          id={id}
          value={person}
          onChange={(p) => {
            setPerson(p);
            if (p) setAdded(null);
          }}
          describedBy={`${id}-hint`}
        />
      </Field>
    </Form>
  );
}

/** Developer organisations in the reviewer's scope: who may publish which packages. */
export function OrgsSection() {
  const orgs = useApiQuery(storeQueries.orgs());
  const { institutions } = useInstitutions();
  const [open, setOpen] = useState<string | null>(null);
  const institutionName = (id: string | null) =>
    id ? (institutions.find((i) => i.id === id)?.name ?? id) : 'vendor (national)';
  const list = orgs.data?.orgs ?? [];
  return (
    <section aria-labelledby="store-orgs" className="card-stacked">
      <h2 id="store-orgs">Developer organisations</h2>
      {orgs.error ? (
        <ErrorNotice error={orgs.error} title="Could not load the organisations" onRetry={orgs.refresh} />
      ) : null}
      {orgs.data && list.length === 0 ? <p className="muted">No developer organisations yet.</p> : null}
      {list.length > 0 ? (
        <table className="table" aria-label="Developer organisations">
          <thead>
            <tr>
              <th>Name</th>
              <th>Institution</th>
              <th>Created</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((o) => (
              <tr key={o.id}>
                <td>{o.name}</td>
                <td>{institutionName(o.institutionId)}</td>
                <td>{formatDateTime(o.createdAt)}</td>
                <td>
                  <Permitted operation="POST /api/v1/store/orgs/{id}/members">
                    {open === o.id ? (
                      <AddMemberForm org={o} />
                    ) : (
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        aria-label={`Add a developer to ${o.name}`}
                        onClick={() => setOpen(o.id)}
                      >
                        Add developer…
                      </button>
                    )}
                  </Permitted>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h3>New organisation</h3>
      <Permitted operation="POST /api/v1/store/orgs" explain="Creating a developer organisation">
        <CreateOrgForm />
      </Permitted>
    </section>
  );
}
