import { RolloutsSection } from './RolloutsSection';

/**
 * The OS rollouts alone, for every rollout reader: an institution's operators (device admins, viewers) see
 * the rollouts with their own handsets' counts only and no buttons (the server scopes the counts; changes
 * are the national os-admin's). The national Hardened OS page shows the same section beside the registry.
 */
export function OsRolloutsPage() {
  return (
    <>
      <div className="page-header">
        <div>
          <h1>OS rollouts</h1>
          <p className="page-subtitle muted">
            Our OS releases rolled out ring by ring to the handsets. Counts are those of the handsets you
            administer.
          </p>
        </div>
      </div>
      <RolloutsSection />
    </>
  );
}
