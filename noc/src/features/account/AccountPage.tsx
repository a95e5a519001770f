import { useEffect } from 'react';
import { useSession } from '../../auth/session';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
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
      <PageHeader
        title="My account"
        subtitle={
          operator ? (
            <>
              {operator.displayName} · <code>{operator.username}</code>
            </>
          ) : null
        }
        plainSubtitle
      />
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
