import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { Permitted } from '../../auth/permissions';
import { Field, Form } from '../../components/Form';
import { useApiMutation } from '../../data/hooks';
import { networkKeys, type AppliedSpec, type CurrentSpec } from './queries';

/**
 * Edit the applied spec's YAML and apply it as the next version (network-admin). The server validates it
 * and stores nothing when it has errors; each error names the path at fault.
 */
export function ApplySpecSection({ current }: { current: CurrentSpec | undefined }) {
  return (
    <section className="card form-card apply-card" aria-labelledby="apply-spec-heading">
      <h2 id="apply-spec-heading">Apply a new network spec</h2>
      <Permitted operation="POST /api/v1/network/spec" explain="Applying a network spec">
        <ApplySpecForm current={current} />
      </Permitted>
    </section>
  );
}

function ApplySpecForm({ current }: { current: CurrentSpec | undefined }) {
  // null: follow the current spec (prefilled, and refilled when it changes); a string: the operator's edit.
  const [draft, setDraft] = useState<string | null>(null);
  const apply = useApiMutation({
    run: (yaml: string) => unwrap(api.POST('/api/v1/network/spec', { body: { yaml } })),
    invalidates: [networkKeys.spec, networkKeys.config],
    // What was applied; equal to the new version's sourceYaml once the spec reloads.
    onSuccess: (_result, yaml) => setDraft(yaml),
  });
  const applied: AppliedSpec | undefined = apply.result;
  const yaml = draft ?? current?.sourceYaml ?? '';
  const unchanged = current !== undefined && yaml === current.sourceYaml;
  // Just applied, and the current spec has not reloaded yet: the draft is already stored.
  const reloading = applied !== undefined && (current?.version ?? 0) < applied.version;
  const blocked = reloading || unchanged || yaml.trim() === '';
  const lines = yaml.split('\n').length;

  return (
    <Form
      onSubmit={() => {
        if (!blocked) apply.start(yaml);
      }}
      pending={apply.pending}
      error={apply.error}
      errorTitle="The spec was not applied"
      submitLabel="Apply"
      busyLabel="Applying…"
      disabled={blocked}
      extraActions={
        <button
          type="button"
          className="button button-secondary"
          onClick={() => {
            setDraft(null);
            apply.reset();
          }}
          disabled={apply.pending || current === undefined || unchanged}
        >
          {current ? `Revert to version ${current.version}` : 'Revert'}
        </button>
      }
      status={
        applied ? (
          <p className="success-text">
            Applied as version {applied.version}{' '}
            <code className="muted" title={`SHA-256 ${applied.sha256}`}>
              {applied.sha256.slice(0, 12)}
            </code>
          </p>
        ) : null
      }
    >
      <Field
        id="spec-yaml"
        label={
          <>
            Network spec (YAML){' '}
            {current ? <span className="optional">starting from version {current.version}</span> : null}
          </>
        }
        hint={
          <>
            The server checks the whole spec and stores nothing when it has errors; a valid spec becomes the
            next version and is recorded in the audit log. Open5GS uses it once its configuration files are
            rendered on the host (see below).
            {unchanged ? ' Edit the spec to apply a new version.' : ''}
          </>
        }
      >
        <textarea
          id="spec-yaml"
          className="code-input"
          rows={Math.min(24, Math.max(10, lines))}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          required
          aria-describedby="spec-yaml-hint"
          value={yaml}
          onChange={(event) => {
            setDraft(event.target.value);
            apply.reset();
          }}
        />
      </Field>
      {applied && applied.warnings.length > 0 ? <AppliedWarnings applied={applied} /> : null}
    </Form>
  );
}

function AppliedWarnings({ applied }: { applied: AppliedSpec }) {
  return (
    <div className="notice notice-warn">
      <strong className="notice-title">
        Applied with {applied.warnings.length === 1 ? 'a warning' : `${applied.warnings.length} warnings`}
      </strong>
      <ul className="notice-issues">
        {applied.warnings.map((w, i) => (
          <li key={i}>
            {w.path ? (
              <>
                <code>{w.path}</code>:{' '}
              </>
            ) : null}
            {w.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
