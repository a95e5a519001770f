import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { Permitted } from '../../auth/permissions';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field, Form } from '../../components/Form';
import { useApiMutation } from '../../data/hooks';
import { networkKeys, type AppliedSpec, type CurrentSpec } from './queries';
import { SpecPreview, type Preview } from './SpecPreview';

/**
 * Edit the applied spec's YAML, preview what it changes (every problem at once, the spec diff, each Open5GS
 * file's diff), then confirm to apply it as the next version (network-admin). The apply names the version the
 * preview was against: if someone applied in between, the server refuses (409) and the operator previews again.
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

type ApplyVariables = { yaml: string; baseVersion: number; allowWeakSecurity: boolean };

function ApplySpecForm({ current }: { current: CurrentSpec | undefined }) {
  // null: follow the current spec (prefilled, and refilled when it changes); a string: the operator's edit.
  const [draft, setDraft] = useState<string | null>(null);
  const [allowWeak, setAllowWeak] = useState(false);
  const preview = useApiMutation({
    run: (yaml: string) => unwrap(api.POST('/api/v1/network/spec/preview', { body: { yaml } })),
  });
  const apply = useApiMutation({
    run: (body: ApplyVariables) => unwrap(api.POST('/api/v1/network/spec', { body })),
    invalidates: [networkKeys.spec, networkKeys.config],
    // What was applied; equal to the new version's sourceYaml once the spec reloads.
    onSuccess: (_result, body) => {
      setDraft(body.yaml);
      preview.reset();
      setAllowWeak(false);
    },
  });
  const applied: AppliedSpec | undefined = apply.result;
  const yaml = draft ?? current?.sourceYaml ?? '';
  // Just applied, and the current spec has not reloaded yet: the draft is already stored.
  const reloading = applied !== undefined && (current?.version ?? 0) < applied.version;
  const blocked = reloading || yaml.trim() === '';
  const lines = yaml.split('\n').length;
  const shown: Preview | undefined = preview.result;

  const edit = (text: string | null) => {
    setDraft(text);
    preview.reset();
    apply.reset();
    setAllowWeak(false);
  };

  return (
    <>
      <Form
        onSubmit={() => {
          if (blocked) return;
          apply.reset();
          preview.start(yaml);
        }}
        pending={preview.pending}
        error={preview.error}
        errorTitle="Could not preview the spec"
        submitLabel="Preview changes"
        busyLabel="Checking…"
        disabled={blocked}
        extraActions={
          <button
            type="button"
            className="button button-secondary"
            onClick={() => edit(null)}
            disabled={apply.pending || current === undefined || yaml === current.sourceYaml}
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
              Preview lists every problem at once and shows what changes, in the spec and in each Open5GS
              file; nothing is stored until you confirm. A valid spec becomes the next version and is recorded
              in the audit log. Open5GS uses it once its configuration files are rendered on the host (see
              below).
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
            onChange={(event) => edit(event.target.value)}
          />
        </Field>
        {applied && applied.warnings.length > 0 ? <AppliedWarnings applied={applied} /> : null}
      </Form>
      {shown ? (
        <>
          <SpecPreview preview={shown} />
          {shown.valid && shown.changed ? (
            <ConfirmApply
              preview={shown}
              allowWeak={allowWeak}
              setAllowWeak={setAllowWeak}
              pending={apply.pending}
              error={apply.error}
              onApply={() =>
                apply.start({ yaml, baseVersion: shown.baseVersion, allowWeakSecurity: allowWeak })
              }
            />
          ) : null}
        </>
      ) : null}
    </>
  );
}

function ConfirmApply(props: {
  preview: Preview;
  allowWeak: boolean;
  setAllowWeak: (allow: boolean) => void;
  pending: boolean;
  error: unknown;
  onApply: () => void;
}) {
  const { preview, allowWeak } = props;
  const weak = preview.weakSecurity;
  const blocked = props.pending || (weak.length > 0 && !allowWeak);
  return (
    <div className="confirm-apply">
      {weak.length > 0 ? (
        <div className="notice notice-warn">
          <strong className="notice-title">Weak security: a null algorithm is preferred</strong>
          <ul className="notice-issues">
            {weak.map((w, i) => (
              <li key={i}>
                <code>{w.path}</code>: {w.message}
              </li>
            ))}
          </ul>
          <ul className="checkbox-list">
            <li>
              <input
                id="allow-weak-security"
                type="checkbox"
                checked={allowWeak}
                onChange={(event) => props.setAllowWeak(event.target.checked)}
              />
              <label htmlFor="allow-weak-security">
                Apply anyway: UEs will run without encryption or integrity protection (recorded in the audit
                log)
              </label>
            </li>
          </ul>
        </div>
      ) : null}
      <div className="form-actions">
        <button
          type="button"
          className="button button-primary"
          disabled={blocked}
          aria-busy={props.pending}
          onClick={props.onApply}
        >
          {props.pending ? 'Applying…' : `Apply as version ${preview.baseVersion + 1}`}
        </button>
      </div>
      {props.error ? <ErrorNotice error={props.error} title="The spec was not applied" /> : null}
    </div>
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
