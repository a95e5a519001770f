import { inApi, usePermissions } from '../../auth/permissions';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { StatusPill } from '../../components/StatusPill';
import { useApiQuery } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { OsDistribution } from '../devices/OsDistribution';
import { deviceQueries } from '../devices/queries';
import { osQueries, type BootKey, type OsRelease } from './queries';
import { RolloutsSection } from './RolloutsSection';

const KEY_TONE = { active: 'good', retired: 'neutral', compromised: 'bad' } as const;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function BootKeyTable({ keys }: { keys: readonly BootKey[] }) {
  if (keys.length === 0) return <p className="muted">No verified-boot keys registered.</p>;
  return (
    <table className="table" aria-label="Verified-boot keys">
      <thead>
        <tr>
          <th>Model</th>
          <th>SHA-256 of the AVB key</th>
          <th>Status</th>
          <th>Label</th>
          <th>Since</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr key={`${k.model}/${k.digest}`}>
            <td>{k.model}</td>
            <td>
              <code className="mono">{k.digest}</code>
            </td>
            <td>
              <StatusPill value={k.status} tone={KEY_TONE[k.status]} />
            </td>
            <td>{k.label ?? ''}</td>
            <td>{formatDateTime(k.statusChangedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ReleaseTable({ releases }: { releases: readonly OsRelease[] }) {
  if (releases.length === 0) return <p className="muted">No releases registered.</p>;
  return (
    <table className="table" aria-label="OS releases">
      <thead>
        <tr>
          <th>Model</th>
          <th>Build</th>
          <th>Channel</th>
          <th>Security patch</th>
          <th>Android</th>
          <th>OTA payloads</th>
          <th>Added</th>
        </tr>
      </thead>
      <tbody>
        {releases.map((r) => (
          <tr key={r.id}>
            <td>{r.model}</td>
            <td title={r.fingerprint}>{r.buildId}</td>
            <td>
              <StatusPill value={r.channel} tone={r.channel === 'stable' ? 'good' : 'neutral'} />
            </td>
            <td>{r.securityPatchLevel}</td>
            <td>{r.version}</td>
            <td>
              {r.payloads.length === 0
                ? 'none'
                : r.payloads
                    .map(
                      (p) =>
                        `${p.kind}${p.fromBuildId ? ` from ${p.fromBuildId}` : ''} (${mib(p.sizeBytes)})`,
                    )
                    .join(', ')}
            </td>
            <td>{formatDateTime(r.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The hardened OS registry: releases and their payloads, the verified-boot key inventory, patch floors, and
 * (for operators who may read the fleet) the handsets' security patch levels as a chart.
 */
export function HardenedOsPage() {
  const releases = useApiQuery(osQueries.releases());
  const keys = useApiQuery(osQueries.bootKeys());
  const models = useApiQuery(osQueries.models());
  const floors = useApiQuery(osQueries.floors());
  // The fleet's patch levels (a device route: device-admin and viewer, not os-admin alone).
  const { can } = usePermissions();
  const showFleet = inApi('GET /api/v1/devices/os') && can('GET /api/v1/devices/os');
  const fleet = useApiQuery(deviceQueries.os(), { enabled: showFleet });
  const national = floors.data?.floors.find((f) => f.institutionId === null);
  const compromised = keys.data?.keys.filter((k) => k.status === 'compromised').length ?? 0;
  return (
    <>
      <PageHeader
        title="Hardened OS"
        subtitle={
          <>
            Our OS builds per handset model and the verified-boot keys they are signed with. A handset booted
            with a key marked compromised is non-compliant at its next check-in. Changes: `pakawaaz os …`
            (os-admin).
          </>
        }
        onRefresh={() => {
          releases.refresh();
          keys.refresh();
          models.refresh();
          floors.refresh();
          if (showFleet) fleet.refresh();
        }}
      />
      <p>
        {models.data ? `${models.data.models.length} model(s)` : ''}
        {' · '}national patch floor: {national ? national.minimumPatchLevel : 'none'}
        {compromised > 0 ? ` · ${compromised} compromised key(s)` : ''}
      </p>
      {showFleet ? (
        <OsDistribution
          view={fleet.data}
          error={fleet.error}
          onRetry={fleet.refresh}
          title="Fleet patch levels"
        />
      ) : null}
      <section aria-labelledby="os-releases">
        <h2 id="os-releases">Releases</h2>
        {releases.error ? <ErrorNotice error={releases.error} /> : null}
        {releases.data ? <ReleaseTable releases={releases.data.releases} /> : null}
      </section>
      <RolloutsSection />
      <section aria-labelledby="os-boot-keys">
        <h2 id="os-boot-keys">Verified-boot keys</h2>
        {keys.error ? <ErrorNotice error={keys.error} /> : null}
        {keys.data ? <BootKeyTable keys={keys.data.keys} /> : null}
      </section>
    </>
  );
}
