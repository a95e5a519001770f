import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Permitted } from '../../auth/permissions';
import { PageHeader } from '../../components/PageHeader';
import { ImportForm } from './ImportForm';
import { ImportJobView } from './ImportJobView';
import { KekSection } from './KekSection';
import { isFinished, simKeys, useSimPages, type ImportJob, type SimFilter } from './queries';
import { RecentImports } from './RecentImports';
import { SimCounts, SimTable } from './SimTable';

export function SimsPage() {
  const client = useQueryClient();
  const [activeJob, setActiveJob] = useState<ImportJob | null>(null);
  // The shown job is still running: a second import waits for it.
  const [running, setRunning] = useState(false);
  const show = (job: ImportJob): void => {
    setActiveJob(job);
    setRunning(!isFinished(job));
  };
  const [filter, setFilter] = useState<SimFilter>({ search: '', status: '' });
  const list = useSimPages(filter);

  return (
    <>
      <PageHeader
        title="SIM inventory"
        onRefresh={() => void client.invalidateQueries({ queryKey: simKeys.all })}
      />

      <SimCounts counts={list.pages[0]?.counts} />

      <section className="card import-card" aria-labelledby="import-heading">
        <h2 id="import-heading">Import a SIM batch</h2>
        <Permitted operation="POST /api/v1/sims/imports" explain="Importing SIMs">
          <ImportForm busy={running} onStarted={show} />
        </Permitted>
        {activeJob ? (
          <ImportJobView key={activeJob.id} initial={activeJob} onFinished={() => setRunning(false)} />
        ) : null}
      </section>

      <SimTable filter={filter} onFilter={setFilter} list={list} />

      <RecentImports activeId={activeJob?.id ?? null} onView={show} />

      <KekSection />
    </>
  );
}
