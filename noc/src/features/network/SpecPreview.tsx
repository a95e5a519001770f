import type { Schemas } from '../../api/client';

export type Preview = Schemas['NetworkSpecPreview'];
type Issue = Preview['errors'][number];

/**
 * What applying the edited spec would do, all at once: every problem (format and logic alike, with the line
 * in the editor), the change to the running spec, and the change to each Open5GS file.
 */
export function SpecPreview({ preview }: { preview: Preview }) {
  const changedFiles = preview.files.filter((f) => f.status !== 'unchanged');
  return (
    <div className="spec-preview" role="region" aria-label="Preview">
      {preview.errors.length > 0 ? (
        <IssueList
          kind="error"
          title={`${count(preview.errors.length, 'problem')} to fix: nothing can be applied`}
          issues={preview.errors}
        />
      ) : null}
      {preview.warnings.length > 0 ? (
        <IssueList kind="warn" title={count(preview.warnings.length, 'warning')} issues={preview.warnings} />
      ) : null}
      {preview.valid && !preview.changed ? (
        <p className="muted">No change: this is the running spec (version {preview.baseVersion}).</p>
      ) : null}
      {preview.valid && preview.changed ? (
        <>
          <h3>Spec changes</h3>
          <Diff label="Spec changes" text={preview.specDiff} />
          <h3>Open5GS files</h3>
          <p className="muted">
            {changedFiles.length === 0
              ? 'No Open5GS file changes (apart from the header naming the spec).'
              : `${count(changedFiles.length, 'file')} change; restart those services after rendering: ${changedFiles.map((f) => f.name).join(', ')}.`}
          </p>
          {changedFiles.map((f) => (
            <details key={f.name} className="file-diff">
              <summary>
                {f.name} ({f.status})
              </summary>
              <Diff label={`Changes to ${f.name}`} text={f.diff} />
            </details>
          ))}
        </>
      ) : null}
    </div>
  );
}

export function IssueList({
  kind,
  title,
  issues,
}: {
  kind: 'error' | 'warn';
  title: string;
  issues: Issue[];
}) {
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : undefined}>
      <strong className="notice-title">{title}</strong>
      <ul className="notice-issues">
        {issues.map((issue, i) => (
          <li key={i}>
            {issue.line ? <span className="muted">line {issue.line}: </span> : null}
            {issue.path ? (
              <>
                <code>{issue.path}</code>:{' '}
              </>
            ) : null}
            {issue.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A unified diff, added and removed lines marked (and announced by their +/- sign). */
export function Diff({ label, text }: { label: string; text: string }) {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return (
    <pre className="config-file diff" tabIndex={0} role="region" aria-label={label}>
      {lines.map((line, i) => (
        <span key={i} className={lineClass(line)}>
          {line}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

function lineClass(line: string): string | undefined {
  if (line.startsWith('+++') || line.startsWith('---')) return 'diff-file';
  if (line.startsWith('@@')) return 'diff-hunk';
  if (line.startsWith('+')) return 'diff-add';
  if (line.startsWith('-')) return 'diff-del';
  return undefined;
}

export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
