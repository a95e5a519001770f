import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Form';
import { InstitutionSelect } from '../../components/InstitutionSelect';
import type { Institution } from '../../identity';
import { CROSS_MODES, useChatPolicyWrites, type ChatPolicy } from './queries';

type Draft = { crossInstitution: ChatPolicy['crossInstitution']; allowed: string[]; retentionDays: number };
const DEFAULT_DRAFT: Draft = { crossInstitution: 'directory', allowed: [], retentionDays: 30 };

/** A national chat-admin sets one institution's policy and legal hold. */
export function ChatPolicyForm({
  institutions,
  policies,
}: {
  institutions: readonly Institution[];
  policies: readonly ChatPolicy[];
}) {
  const [institutionId, setInstitutionId] = useState('');
  const [draft, setDraft] = useState<Draft>(DEFAULT_DRAFT);
  const [reason, setReason] = useState('');
  const writes = useChatPolicyWrites();
  const stored = policies.find((p) => p.institutionId === institutionId);
  const error = writes.put.error ?? writes.hold.error ?? writes.release.error;

  const choose = (id: string) => {
    setInstitutionId(id);
    const p = policies.find((x) => x.institutionId === id);
    setDraft(
      p
        ? {
            crossInstitution: p.crossInstitution,
            allowed: p.allowedInstitutions,
            retentionDays: p.retentionDays,
          }
        : DEFAULT_DRAFT,
    );
  };
  const save = (event: FormEvent) => {
    event.preventDefault();
    const body = {
      crossInstitution: draft.crossInstitution,
      allowedInstitutions: draft.crossInstitution === 'allow-list' ? draft.allowed : [],
      retentionDays: draft.retentionDays,
    };
    writes.put.start({ institutionId, body });
  };

  return (
    <section aria-labelledby="chat-policy-edit-heading">
      <h2 id="chat-policy-edit-heading">Set an institution’s policy</h2>
      {error ? <ErrorNotice error={error} title="Not saved" /> : null}
      <form className="form" onSubmit={save} aria-label="Chat policy">
        <Field id="chat-policy-institution" label="Institution">
          <InstitutionSelect
            id="chat-policy-institution"
            value={institutionId}
            onChange={choose}
            institutions={institutions}
          />
        </Field>
        <Field id="chat-policy-cross" label="Cross-institution chat">
          <select
            id="chat-policy-cross"
            value={draft.crossInstitution}
            onChange={(e) =>
              setDraft({ ...draft, crossInstitution: e.target.value as Draft['crossInstitution'] })
            }
          >
            {CROSS_MODES.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </select>
        </Field>
        {draft.crossInstitution === 'allow-list' ? (
          <Field id="chat-policy-allowed" label="Allowed institutions">
            <select
              id="chat-policy-allowed"
              multiple
              value={draft.allowed}
              onChange={(e) =>
                setDraft({ ...draft, allowed: [...e.target.selectedOptions].map((o) => o.value) })
              }
            >
              {institutions
                .filter((i) => i.id !== institutionId)
                .map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.name}
                  </option>
                ))}
            </select>
          </Field>
        ) : null}
        <Field id="chat-policy-retention" label="Retention (days, 1–365)">
          <input
            id="chat-policy-retention"
            type="number"
            min={1}
            max={365}
            required
            value={draft.retentionDays}
            onChange={(e) => setDraft({ ...draft, retentionDays: Number(e.target.value) })}
          />
        </Field>
        <button
          type="submit"
          className="button button-primary"
          disabled={!institutionId || writes.put.pending}
        >
          {writes.put.pending ? 'Saving…' : 'Save policy'}
        </button>
      </form>
      {institutionId ? (
        <form
          className="form"
          aria-label="Legal hold"
          onSubmit={(e) => {
            e.preventDefault();
            writes.hold.start({ institutionId, reason });
          }}
        >
          <Field id="chat-hold-reason" label="Legal hold reason (case or order reference)">
            <input
              id="chat-hold-reason"
              value={reason}
              minLength={3}
              maxLength={500}
              required
              onChange={(e) => setReason(e.target.value)}
            />
          </Field>
          <span className="row-actions">
            <button type="submit" className="button button-secondary" disabled={writes.hold.pending}>
              Put on hold
            </button>
            {stored?.hold ? (
              <button
                type="button"
                className="button button-secondary"
                disabled={writes.release.pending}
                onClick={() => writes.release.start(institutionId)}
              >
                Lift hold
              </button>
            ) : null}
          </span>
        </form>
      ) : null}
    </section>
  );
}
