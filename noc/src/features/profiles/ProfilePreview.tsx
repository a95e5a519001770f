import type { Schemas } from '../../api/client';
import { count, Diff, IssueList } from '../network/SpecPreview';

export type ProfilePreviewResult = Schemas['SubscriberProfilePreview'];

/** Every problem of the edited profile, its diff against the saved one, and who uses it. */
export function ProfilePreview({ name, preview }: { name: string; preview: ProfilePreviewResult }) {
  const { total, sample } = preview.subscribers;
  return (
    <div className="spec-preview" role="region" aria-label="Profile preview">
      {preview.errors.length > 0 ? (
        <IssueList
          kind="error"
          title={`${count(preview.errors.length, 'problem')} to fix: nothing can be saved`}
          issues={preview.errors}
        />
      ) : null}
      {preview.warnings.length > 0 ? (
        <IssueList kind="warn" title={count(preview.warnings.length, 'warning')} issues={preview.warnings} />
      ) : null}
      {preview.valid && !preview.changed ? <p className="muted">No change to the saved profile.</p> : null}
      {preview.valid && preview.changed ? (
        <Diff label={preview.exists ? `Changes to ${name}` : `New profile ${name}`} text={preview.diff} />
      ) : null}
      <p className="muted">
        {total === 0
          ? 'No subscriber uses this profile yet.'
          : `${count(total, 'subscriber')} use${total === 1 ? 's' : ''} this profile and will be re-synced to Open5GS: ${sample
              .map((s) => `${s.displayName} (${s.imsi})`)
              .join(', ')}${total > sample.length ? `, and ${total - sample.length} more` : ''}.`}
      </p>
    </div>
  );
}
