import { PageHeader } from '../../components/PageHeader';
import { useApiQuery } from '../../data/hooks';
import { AlarmsSection } from './AlarmsSection';
import { ApplySpecSection } from './ApplySpecSection';
import { HealthSection } from './HealthSection';
import { KpiCharts } from './KpiCharts';
import { Open5gsConfigSection } from './Open5gsConfigSection';
import { networkQueries } from './queries';
import { SpecSection } from './SpecSection';

export function NetworkPage() {
  // Applying a spec invalidates the spec and the Open5GS files, so both reload from the cache layer.
  const spec = useApiQuery(networkQueries.spec());
  return (
    <>
      <PageHeader
        title="Network"
        subtitle={
          <>
            The applied network spec, the health of each network function, its KPIs over time and the open
            alarms; below them, applying a new spec and the Open5GS configuration it renders to.
          </>
        }
      />
      <SpecSection spec={spec} />
      <HealthSection />
      <KpiCharts />
      <AlarmsSection />
      <ApplySpecSection current={spec.data} />
      <Open5gsConfigSection />
    </>
  );
}
