import { useEffect } from 'react';
import { useSession } from '../../auth/session';
import { ErrorNotice } from '../../components/ErrorNotice';
import { MySessions } from './MySessions';
import { PasskeysSection } from './PasskeysSection';
import { PasswordSection } from './PasswordSection';
import { ProfileCard, ThisSessionCard } from './ProfileCards';
import { useFreshProfile } from './queries';
import { TotpSection } from './TotpSection';

/** Everything here is the operator's own (self-scoped routes): no permission gates. */
export function AccountPage() {
  const { operator } = useSession();
  const profile = useFreshProfile();

  // Deep link from the passkey banner.
  const ready = operator !== null;
  useEffect(() => {
    if (ready && window.location.hash === '#passkeys') document.getElementById('passkeys')?.scrollIntoView();
  }, [ready]);

  return (
    <>
      <div className="page-header">
        <div>
          <h1>My account</h1>
          {operator ? (
            <p className="page-subtitle">
              {operator.displayName} · <code>{operator.username}</code>
            </p>
          ) : null}
        </div>
      </div>
      {profile.error ? (
        <ErrorNotice error={profile.error} title="Could not load your profile" onRetry={profile.refresh} />
      ) : null}
      {operator ? (
        <>
          <div className="cards">
            <ProfileCard operator={operator} />
            <ThisSessionCard operator={operator} />
          </div>
          <TotpSection operator={operator} />
          <PasskeysSection operator={operator} />
          <PasswordSection />
          <MySessions />
        </>
      ) : (
        <p className="muted">Loading…</p>
      )}
    </>
  );
}
