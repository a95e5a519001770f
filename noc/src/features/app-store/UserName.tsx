import { useApiQuery } from '../../data/hooks';
import { storeQueries } from './queries';
import { actorRef } from './review-rules';

/** A person's name from a store record's `kind:id`; the record itself when it is no person or is unreadable. */
export function UserName({ actor }: { actor: string }) {
  const { userId, text } = actorRef(actor);
  const user = useApiQuery(storeQueries.user(userId ?? ''), { enabled: userId !== null });
  if (!user.data) return <span title={text}>{user.loading ? '…' : text}</span>;
  return (
    <span title={text}>
      {user.data.displayName} <span className="muted">({user.data.username})</span>
    </span>
  );
}
