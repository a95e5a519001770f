import { useApiQuery } from '../../data/hooks';
import { storeQueries } from './queries';

/** A user's name from their id (the store records ids); the id itself when the name cannot be read. */
export function UserName({ id }: { id: string }) {
  const user = useApiQuery(storeQueries.user(id), { enabled: id.length > 0 });
  if (!user.data) return <span title={id}>{user.loading ? '…' : id}</span>;
  return (
    <span title={id}>
      {user.data.displayName} <span className="muted">({user.data.username})</span>
    </span>
  );
}
