import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { StatusPill } from '../../components/StatusPill';
import { useApiQuery } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { Link } from '../../router';
import { useDeviceAccess } from './access';
import { CommandsSection } from './CommandsSection';
import type { AttestationFactsView, DeviceCertificate, DeviceDetail } from './types';
import {
  Ago,
  CompliancePill,
  DeviceStatePill,
  InstitutionLabel,
  OfficialLabel,
  osVersionText,
  patchText,
  reasonText,
} from './labels';
import { deviceQueries } from './queries';
import { reportedApps } from './reported-apps';
import { MarkLostDevice } from './MarkLostDevice';
import { RetireDevice } from './RetireDevice';

const Dash = () => <span className="muted">—</span>;

/** One handset: what its hardware attested, its certificate, compliance, apps, commands, and retiring it. */
export function DeviceDetailPage({ id }: { id: string }) {
  const { data: device, error, loading, fetching, refresh } = useApiQuery(deviceQueries.one(id));
  const access = useDeviceAccess();
  const notFound = error?.status === 404;
  const name = device ? (device.official.displayName ?? device.official.username ?? 'unknown account') : '';

  return (
    <>
      <p className="breadcrumb">
        <Link to="/devices">← Devices</Link>
      </p>
      <PageHeader
        title={device ? `${device.model ?? 'Handset'} of ${name}` : notFound ? 'Device not found' : 'Device'}
        subtitle={
          device ? (
            <>
              <DeviceStatePill state={device.state} />{' '}
              <CompliancePill state={device.compliance} reasons={device.complianceReasons} />
            </>
          ) : null
        }
        plainSubtitle
        onRefresh={refresh}
        refreshing={fetching}
      />

      {error ? (
        <ErrorNotice
          error={error}
          title={
            notFound ? 'No device with this id (or not in your institution)' : 'Could not load the device'
          }
          onRetry={notFound ? undefined : refresh}
        />
      ) : null}
      {device === undefined && loading ? <p className="muted">Loading…</p> : null}
      {device ? (
        <>
          <DeviceCards device={device} />
          <AppsSection device={device} />
          <CommandsSection device={device} canSend={access.manage} />
          {access.manage &&
          (device.state === 'active' ||
            (device.state === 'lost' && device.certificates.some((c) => c.status === 'valid'))) ? (
            <MarkLostDevice device={device} />
          ) : null}
          {access.manage && device.state !== 'retired' ? <RetireDevice device={device} /> : null}
        </>
      ) : null}
    </>
  );
}

/** The certificate in use: the newest valid one, else the newest. */
export function currentCertificate(list: readonly DeviceCertificate[]): DeviceCertificate | null {
  const newest = [...list].sort((x, y) => y.notBefore.localeCompare(x.notBefore));
  return newest.find((c) => c.status === 'valid') ?? newest[0] ?? null;
}

function DeviceCards({ device: d }: { device: DeviceDetail }) {
  // The server keeps the attestation facts whole (the verifier's own shape); the NOC reads what it shows.
  const a = d.attestation as AttestationFactsView;
  const cert = currentCertificate(d.certificates);
  const root = a.rootOfTrust ?? null;
  const ids = a.attestedIds ?? {};
  return (
    <div className="cards cards-spaced">
      <section className="card" aria-labelledby="card-device">
        <h2 id="card-device">Handset</h2>
        <dl className="facts">
          <dt>Official</dt>
          <dd>
            <OfficialLabel official={d.official} />
          </dd>
          <dt>Institution</dt>
          <dd>
            <InstitutionLabel id={d.institutionId} name={d.institutionName} />
          </dd>
          <dt>Model</dt>
          <dd>{[d.brand, d.model].filter(Boolean).join(' ') || <Dash />}</dd>
          <dt>IMEI</dt>
          <dd>{d.imei ? <code>{d.imei}</code> : <Dash />}</dd>
          <dt>Serial</dt>
          <dd>{d.serial ? <code>{d.serial}</code> : <Dash />}</dd>
          <dt>SIM (IMSI)</dt>
          <dd>
            {d.imsi ? (
              <Link to={`/subscribers/${d.imsi}`}>
                <code>{d.imsi}</code>
              </Link>
            ) : (
              <Dash />
            )}
          </dd>
          <dt>Enrolled</dt>
          <dd>{formatDateTime(d.enrolledAt)}</dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="card-attestation">
        <h2 id="card-attestation">Attestation</h2>
        <dl className="facts">
          <dt>Security level</dt>
          <dd>{a.attestationSecurityLevel ?? <Dash />}</dd>
          <dt>Verified boot</dt>
          <dd>
            {root ? (
              <StatusPill
                value={root.verifiedBootState}
                tone={
                  root.verifiedBootState === 'Verified' || root.verifiedBootState === 'SelfSigned'
                    ? 'good'
                    : 'bad'
                }
              />
            ) : (
              <Dash />
            )}
          </dd>
          <dt>Bootloader</dt>
          <dd>
            {root ? root.deviceLocked ? 'locked' : <StatusPill value="unlocked" tone="bad" /> : <Dash />}
          </dd>
          <dt>Boot key</dt>
          <dd>{root ? <code className="break small">{root.verifiedBootKey}</code> : <Dash />}</dd>
          <dt>OS version</dt>
          <dd>{osVersionText(a.osVersion)}</dd>
          <dt>Patch levels</dt>
          <dd>
            OS {patchText(a.osPatchLevel)} · vendor {patchText(a.vendorPatchLevel)} · boot{' '}
            {patchText(a.bootPatchLevel)}
          </dd>
          <dt>Attested IMEI</dt>
          <dd>{ids.imei ? <code>{ids.imei}</code> : <span className="muted">not attested</span>}</dd>
          <dt>Attested serial</dt>
          <dd>{ids.serial ? <code>{ids.serial}</code> : <span className="muted">not attested</span>}</dd>
          <dt>Last attested</dt>
          <dd>
            <Ago at={d.lastAttestedAt} />
          </dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="card-certificate">
        <h2 id="card-certificate">Device certificate</h2>
        {cert ? (
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <StatusPill
                value={cert.status}
                tone={cert.status === 'valid' ? 'good' : cert.status === 'revoked' ? 'bad' : 'warn'}
              />
            </dd>
            <dt>Serial</dt>
            <dd>
              <code className="break small">{cert.serial}</code>
            </dd>
            <dt>Valid from</dt>
            <dd>{formatDateTime(cert.notBefore)}</dd>
            <dt>Expires</dt>
            <dd>
              {formatDateTime(cert.notAfter)} (<Ago at={cert.notAfter} />)
            </dd>
            {cert.revokedAt ? (
              <>
                <dt>Revoked</dt>
                <dd>{formatDateTime(cert.revokedAt)}</dd>
              </>
            ) : null}
          </dl>
        ) : (
          <p className="muted">No certificate on record.</p>
        )}
        {d.certificates.length > 1 ? (
          <p className="card-note muted">
            {d.certificates.length - 1} earlier {d.certificates.length === 2 ? 'certificate' : 'certificates'}{' '}
            (renewed or revoked).
          </p>
        ) : null}
      </section>

      <section className="card" aria-labelledby="card-compliance">
        <h2 id="card-compliance">Compliance</h2>
        <dl className="facts">
          <dt>State</dt>
          <dd>
            <CompliancePill state={d.compliance} reasons={[]} />
          </dd>
          <dt>Reasons</dt>
          <dd>
            {d.complianceReasons.length ? (
              <ul className="plain-list" aria-label="Compliance reasons">
                {d.complianceReasons.map((r) => (
                  <li key={r}>
                    {reasonText(r)} <code className="muted small">{r}</code>
                  </li>
                ))}
              </ul>
            ) : (
              <span className="muted">none</span>
            )}
          </dd>
          <dt>Last check-in</dt>
          <dd>
            <Ago at={d.lastCheckInAt} />
          </dd>
          <dt>Policy applied</dt>
          <dd>
            {d.appliedPolicyVersion === null ? (
              <span className="muted">none reported</span>
            ) : (
              `version ${d.appliedPolicyVersion}`
            )}
          </dd>
        </dl>
      </section>
    </div>
  );
}

/** The apps the handset's last check-in reported: what the store (mandatory apps, rollouts) installed on it. */
function AppsSection({ device }: { device: DeviceDetail }) {
  const apps = reportedApps(device.lastReport);
  return (
    <section className="card card-stacked" aria-labelledby="card-apps">
      <h2 id="card-apps">Apps</h2>
      {apps === null ? (
        <p className="muted">Not reported yet: the handset lists its apps at its next check-in.</p>
      ) : apps.length === 0 ? (
        <p className="muted">None reported.</p>
      ) : (
        <div className="table-wrap">
          <table className="table table-compact">
            <caption className="table-caption">Installed apps, as of the last check-in</caption>
            <thead>
              <tr>
                <th scope="col">Package</th>
                <th scope="col" className="num">
                  Version code
                </th>
                <th scope="col" className="num">
                  Crashes
                </th>
              </tr>
            </thead>
            <tbody>
              {apps.map((a) => (
                <tr key={a.package}>
                  <th scope="row">
                    <code>{a.package}</code>
                  </th>
                  <td className="num">{a.versionCode}</td>
                  <td className="num">{a.crashes}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
