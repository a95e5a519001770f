import { PageHeader } from '../../components/PageHeader';
import { RolloutsSection } from './RolloutsSection';

/**
 * The OS rollouts alone, for every rollout reader: an institution's operators (device admins, viewers) see
 * the rollouts with their own handsets' counts only and no buttons (the server scopes the counts; changes
 * are the national os-admin's). The national Hardened OS page shows the same section beside the registry.
 */
export function OsRolloutsPage() {
  return (
    <>
      <PageHeader
        title="OS rollouts"
        subtitle={
          <>
            Our OS releases rolled out ring by ring to the handsets. Counts are those of the handsets you
            administer.
          </>
        }
      />
      <RolloutsSection />
    </>
  );
}
