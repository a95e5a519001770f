import { useMemo, useState } from 'react';
import { Permitted, usePermissions } from '../../auth/permissions';
import { Field, Form } from '../../components/Form';
import { OneTimeSecret } from '../../components/OneTimeSecret';
import { PageHeader } from '../../components/PageHeader';
import { ReadFailure } from '../../components/QueryStatus';
import { useApiQuery } from '../../data/hooks';
import { formatCount } from '../../format';
import { Link } from '../../router';
import { useAddNas } from './mutations';
import { NasClientRow } from './NasClientRow';
import { countsByClient, radiusQueries } from './queries';

type Secret = { name: string; secret: string };

/** NAS clients (Wi-Fi controllers, VPN concentrators): what each sent in the last day, and their upkeep. */
export function NasClientsPage() {
  const { can } = usePermissions();
  const clients = useApiQuery(radiusQueries.clients());
  const counters = useApiQuery(radiusQueries.counters());
  const counts = useMemo(() => countsByClient(counters.data?.counters ?? []), [counters.data]);
  const [secret, setSecret] = useState<Secret | null>(null);
  const unknown = counts.get('');
  const list = clients.data?.clients;
  const fetching = clients.fetching || counters.fetching;
  const refresh = (): void => {
    clients.refresh();
    counters.refresh();
  };

  return (
    <>
      <PageHeader
        title="NAS clients"
        subtitle={
          <>
            Devices allowed to send RADIUS, with what each sent in the last 24 hours. The reasons are in the{' '}
            <Link to="/radius/log?channel=radius">sign-in log</Link>.
          </>
        }
        onRefresh={refresh}
        refreshing={fetching}
      />
      <Permitted operation="PATCH /api/v1/radius/clients/{id}" explain="Changing NAS clients">
        {null}
      </Permitted>
      <ReadFailure
        error={clients.error}
        hasData={clients.data !== undefined}
        updatedAt={clients.updatedAt}
        title="Could not load the NAS clients"
        onRetry={clients.refresh}
      />
      <ReadFailure
        error={counters.error}
        hasData={counters.data !== undefined}
        updatedAt={counters.updatedAt}
        title="Could not load the NAS counters"
        onRetry={counters.refresh}
      />
      {secret ? (
        <OneTimeSecret
          key={`${secret.name}-${secret.secret}`}
          title={`Shared secret of ${secret.name}`}
          lead="Shown this once: set it on the NAS now."
          values={[secret.secret]}
          label="Shared secret"
          onDone={() => setSecret(null)}
        />
      ) : null}
      {unknown ? (
        <p className="notice notice-warn" role="note">
          {formatCount(unknown.drop)} datagrams from unregistered addresses dropped in the last 24 hours.
        </p>
      ) : null}
      <div className="table-wrap">
        <table className="table" aria-busy={fetching}>
          <caption className="visually-hidden">NAS clients</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Address</th>
              <th scope="col">Accepts</th>
              <th scope="col">Rejects</th>
              <th scope="col">Drops</th>
              <th scope="col">Top reasons</th>
              <th scope="col">Secret</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(list ?? []).map((c) => (
              <NasClientRow
                key={c.id}
                client={c}
                counts={counts.get(c.id)}
                canEdit={can('PATCH /api/v1/radius/clients/{id}')}
                canRotate={can('POST /api/v1/radius/clients/{id}/secret')}
                onSecret={(s) => setSecret({ name: c.name, secret: s })}
              />
            ))}
            {list && list.length === 0 ? (
              <tr>
                <td colSpan={8} className="muted">
                  No NAS client yet.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Permitted operation="POST /api/v1/radius/clients" explain="Adding a NAS">
        <AddNas onAdded={(name, s) => setSecret({ name, secret: s })} />
      </Permitted>
    </>
  );
}

function AddNas({ onAdded }: { onAdded: (name: string, secret: string) => void }) {
  const [name, setName] = useState('');
  const [cidr, setCidr] = useState('');
  const add = useAddNas((created) => {
    setName('');
    setCidr('');
    onAdded(created.name, created.secret);
  });
  return (
    <section aria-labelledby="add-nas">
      <h2 id="add-nas">Add a NAS</h2>
      <Form
        className="filters"
        ariaLabel="Add a NAS"
        onSubmit={() => add.start({ name: name.trim(), cidr: cidr.trim() })}
        pending={add.pending}
        error={add.error}
        errorTitle="The NAS was not added"
        submitLabel="Add (a secret is generated)"
        busyLabel="Adding…"
      >
        <Field id="nas-name" label="Name" inline>
          <input
            id="nas-name"
            required
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </Field>
        <Field id="nas-cidr" label="Address or CIDR" inline>
          <input
            id="nas-cidr"
            required
            autoComplete="off"
            spellCheck={false}
            placeholder="10.20.0.0/16"
            value={cidr}
            onChange={(e) => setCidr(e.target.value)}
          />
        </Field>
      </Form>
    </section>
  );
}
