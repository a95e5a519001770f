import { usePermissions } from '../../auth/permissions';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { StatusPill } from '../../components/StatusPill';
import { useApiQuery } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { institutionNames } from '../../identity';
import { useInstitutions } from '../institutions/queries';
import { ChatPolicyForm } from './ChatPolicyForm';
import { chatQueries, CROSS_MODES, type ChatPolicy } from './queries';

/**
 * Secure chat's per-institution policies: whom officials may share groups with, how long queues keep
 * undelivered ciphertext, and legal holds of delivery metadata. National chat-admins set them; an
 * institution's operators read their own.
 */
export function ChatPoliciesPage() {
  const { can } = usePermissions();
  const policies = useApiQuery(chatQueries.policies());
  const { institutions } = useInstitutions();
  const names = institutionNames(institutions);
  const canSet = can('PUT /api/v1/chat/policies/{institutionId}');
  const list = policies.data?.policies ?? [];

  return (
    <>
      <PageHeader
        title="Secure chat policies"
        subtitle={
          <>
            Whom an institution’s officials may chat with, how long the server keeps messages a handset has
            not fetched, and legal holds (delivery metadata only: the server never holds a key to the
            content).
          </>
        }
        onRefresh={policies.refresh}
        refreshing={policies.fetching}
      />
      {policies.error ? (
        <ErrorNotice
          error={policies.error}
          title="Could not load the chat policies"
          onRetry={policies.refresh}
        />
      ) : null}
      <section aria-labelledby="chat-policies-heading">
        <h2 id="chat-policies-heading">Policies</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Institution</th>
                <th scope="col">Cross-institution chat</th>
                <th scope="col">Retention</th>
                <th scope="col">Legal hold</th>
              </tr>
            </thead>
            <tbody>
              {list.length === 0 ? (
                <tr>
                  <td colSpan={4} className="muted">
                    {policies.data ? 'No policy stored: every institution follows the defaults.' : 'Loading…'}
                  </td>
                </tr>
              ) : (
                list.map((p) => <PolicyRow key={p.institutionId} policy={p} names={names} />)
              )}
            </tbody>
          </table>
        </div>
      </section>
      {canSet ? <ChatPolicyForm institutions={institutions} policies={list} /> : null}
    </>
  );
}

function PolicyRow({ policy: p, names }: { policy: ChatPolicy; names: Map<string, string> }) {
  const mode = CROSS_MODES.find((m) => m.value === p.crossInstitution)?.label ?? p.crossInstitution;
  const allowed = p.allowedInstitutions.map((id) => names.get(id) ?? id).join(', ');
  return (
    <tr>
      <th scope="row">{names.get(p.institutionId) ?? p.institutionId}</th>
      <td>
        {mode}
        {allowed ? <span className="muted"> ({allowed})</span> : null}
        {p.source === 'default' ? <span className="muted"> — default</span> : null}
      </td>
      <td className="num">{p.retentionDays} days</td>
      <td>
        {p.hold ? (
          <span title={`${p.hold.reason} — set by ${p.hold.setBy ?? '?'}`}>
            <StatusPill value="on hold" tone="warn" /> since {formatDateTime(p.hold.since)}: {p.hold.reason}
          </span>
        ) : (
          <span className="muted">none</span>
        )}
      </td>
    </tr>
  );
}
