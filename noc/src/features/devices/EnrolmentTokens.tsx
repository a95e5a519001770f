import { ConfirmButton } from '../../components/ConfirmButton';
import { ACTIONS_COLUMN, QueryTable } from '../../components/QueryTable';
import { StatusPill, type Tone } from '../../components/StatusPill';
import { useApiMutation, useApiQuery } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { Link } from '../../router';
import { api, unwrap } from '../../api/client';
import type { EnrolmentToken } from './types';
import { InstitutionLabel, OfficialLabel } from './labels';
import { deviceQueries, ENROLMENT_TOKENS_KEY } from './queries';

const TOKEN_TONE: Record<EnrolmentToken['state'], Tone> = {
  pending: 'good',
  used: 'neutral',
  expired: 'warn',
  revoked: 'bad',
};

/** The enrolment tokens, newest first: unused ones can be revoked, used ones link to their handset. */
export function TokenList({ canRevoke }: { canRevoke: boolean }) {
  const list = useApiQuery(deviceQueries.enrolmentTokens());
  return (
    <section aria-labelledby="tokens-heading" className="no-print">
      <div className="section-header">
        <h2 id="tokens-heading">Tokens</h2>
        <button
          type="button"
          className="button button-secondary"
          onClick={list.refresh}
          disabled={list.fetching}
        >
          Refresh
        </button>
      </div>
      <QueryTable
        query={list}
        failureTitle="Could not load the enrolment tokens"
        caption="Enrolment tokens"
        columns={['Official', 'Institution', 'SIM', 'Created', 'Expires', 'State', ACTIONS_COLUMN]}
        rows={list.data?.tokens}
        renderRow={(t) => <TokenRow key={t.id} token={t} canRevoke={canRevoke} />}
        empty="No enrolment token yet."
      />
    </section>
  );
}

function TokenRow({ token: t, canRevoke }: { token: EnrolmentToken; canRevoke: boolean }) {
  const revoke = useApiMutation({
    run: () => unwrap(api.DELETE('/api/v1/enrolment-tokens/{id}', { params: { path: { id: t.id } } })),
    invalidates: [ENROLMENT_TOKENS_KEY],
  });
  const name = t.official.displayName ?? t.official.username ?? 'unknown account';
  return (
    <tr>
      <td>
        <OfficialLabel official={t.official} />
      </td>
      <td>
        <InstitutionLabel id={t.institutionId} name={t.institutionName} />
      </td>
      <td>{t.imsi ? <code>{t.imsi}</code> : <span className="muted">any</span>}</td>
      <td className="nowrap">{formatDateTime(t.createdAt)}</td>
      <td className="nowrap">{formatDateTime(t.expiresAt)}</td>
      <td>
        <StatusPill value={t.state === 'pending' ? 'unused' : t.state} tone={TOKEN_TONE[t.state]} />
        {t.state === 'used' && t.deviceId ? (
          <>
            {' '}
            <Link to={`/devices/${t.deviceId}`} aria-label={`The handset enrolled for ${name}`}>
              handset
            </Link>
          </>
        ) : null}
      </td>
      <td>
        {canRevoke && t.state === 'pending' ? (
          <ConfirmButton
            label="Revoke"
            accessibleName={`Revoke the token for ${name}`}
            question={`Revoke this token? A handset can no longer enrol with it for ${name}.`}
            confirmLabel="Revoke the token"
            busyLabel="Revoking…"
            errorTitle="The token was not revoked"
            small
            onConfirm={async () => {
              await revoke.run(undefined);
            }}
          />
        ) : null}
      </td>
    </tr>
  );
}
