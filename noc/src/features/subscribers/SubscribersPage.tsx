import { useQueryClient } from '@tanstack/react-query';
import { Permitted } from '../../auth/permissions';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { useApiQuery } from '../../data/hooks';
import { useLocation } from '../../router';
import { profileQueries } from '../profiles/queries';
import { AssignForm } from './AssignForm';
import { filtersUrl, readFilters, subscriberKeys } from './queries';
import { SubscriberList } from './SubscriberList';
import { SyncSection } from './SyncSection';

export function SubscribersPage() {
  const client = useQueryClient();
  const { search } = useLocation();
  const filters = readFilters(search);
  const profiles = useApiQuery(profileQueries.list());
  const profileList = profiles.data?.profiles ?? [];

  return (
    <>
      <PageHeader
        title="Subscribers"
        onRefresh={() => {
          void client.invalidateQueries({ queryKey: subscriberKeys.all });
          void client.invalidateQueries({ queryKey: subscriberKeys.sync });
        }}
      />

      {profiles.error ? <ErrorNotice error={profiles.error} title="Could not load the profiles" /> : null}

      <SyncSection />

      <section className="card form-card" aria-labelledby="assign-heading">
        <h2 id="assign-heading">Assign a SIM</h2>
        <Permitted operation="POST /api/v1/subscribers" explain="Assigning a SIM">
          <AssignForm profiles={profileList} />
        </Permitted>
      </section>

      <SubscriberList key={filtersUrl({ ...filters, page: 1 })} filters={filters} profiles={profileList} />
    </>
  );
}
