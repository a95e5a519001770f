import { ErrorNotice } from '../../components/ErrorNotice';
import { SessionTable } from '../../components/SessionTable';
import { useApiQuery } from '../../data/hooks';
import { sessionQueries, useEndSession } from '../sessions/queries';

export function MySessions() {
  const query = useApiQuery(sessionQueries.mine());
  const end = useEndSession();
  const { error } = query;
  return (
    <section className="account-sessions" aria-labelledby="my-sessions-heading">
      <div className="section-header">
        <h2 id="my-sessions-heading">My sessions</h2>
        <button
          type="button"
          className="button button-secondary button-small"
          onClick={query.refresh}
          disabled={query.fetching}
        >
          Refresh
        </button>
      </div>
      {error ? <ErrorNotice error={error} title="Could not load your sessions" /> : null}
      <SessionTable
        sessions={query.data?.sessions ?? (error ? [] : null)}
        caption="Your live sessions"
        actionLabel={(s) => (s.current ? 'Sign out' : 'Sign out this session')}
        onAction={end}
        empty={error ? 'Your sessions could not be loaded.' : 'No live session.'}
      />
    </section>
  );
}
