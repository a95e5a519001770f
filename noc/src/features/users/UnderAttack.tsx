import { useApiQuery } from '../../data/hooks';
import { formatCount } from '../../format';
import { Link } from '../../router';
import { userQueries } from './queries';

/**
 * The alarm of the lock-out model: accounts whose password step the guess limit closed. Nobody is locked
 * out — they sign in with a passkey, the SIM or the device first — but someone is guessing their password.
 * A failed read shows nothing: the list below reports the same failure.
 */
export function UnderAttack() {
  const total = useApiQuery(userQueries.underAttack()).data?.total ?? 0;
  if (total === 0) return null;
  return (
    <section className="notice notice-error" aria-label="Accounts under attack">
      <strong className="notice-title">
        {formatCount(total)} {total === 1 ? 'account is' : 'accounts are'} under attack
      </strong>
      <p className="notice-message">
        Someone made the maximum number of failed sign-ins: the password step is closed. The user still signs
        in with a passkey, the SIM or the device first, then the password. Look at the audit log, then reopen
        the password step on the user’s page (or let the user change the password).
      </p>
      <p className="notice-message">
        <Link to="/users?attack=1">Show the accounts under attack</Link>
      </p>
    </section>
  );
}
