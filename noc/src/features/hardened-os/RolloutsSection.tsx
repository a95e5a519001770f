import { useState } from 'react';
import { api, asApiError, unwrap } from '../../api/client';
import { Permitted } from '../../auth/permissions';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { RolloutLever } from '../../components/RolloutLever';
import { StatusPill } from '../../components/StatusPill';
import { useApiMutation, useApiQuery } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { osKeys, osQueries } from './queries';
import { actionsFor, failureRate, progressText, whereText, type OsRollout } from './rollout-progress';

const STATE_TONE = {
  scheduled: 'neutral',
  running: 'good',
  paused: 'warn',
  halted: 'bad',
  completed: 'neutral',
} as const;

const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);

function RolloutActions({ r }: { r: OsRollout }) {
  const [reason, setReason] = useState('');
  // The server refused to widen over the failure threshold: its message, and the override on offer.
  const [overThreshold, setOverThreshold] = useState<string | null>(null);
  const path = { params: { path: { id: r.id } } };
  const invalidates = [osKeys.rollouts];
  const pause = useApiMutation({
    run: () => unwrap(api.POST('/api/v1/os/rollouts/{id}/pause', path)),
    invalidates,
  });
  const resume = useApiMutation({
    run: () => unwrap(api.POST('/api/v1/os/rollouts/{id}/resume', path)),
    invalidates,
  });
  const advance = useApiMutation({
    run: (force: boolean) =>
      unwrap(api.POST('/api/v1/os/rollouts/{id}/advance', { ...path, body: force ? { force: true } : {} })),
    invalidates,
  });
  const halt = useApiMutation({
    run: (why: string) =>
      unwrap(api.POST('/api/v1/os/rollouts/{id}/halt', { ...path, body: { reason: why } })),
    invalidates,
  });
  const can = actionsFor(r);
  const name = `the ${r.model} rollout of ${r.release?.buildId ?? r.releaseId}`;
  return (
    <div className="actions">
      {can.pause ? (
        <RolloutLever
          lever="pause"
          name={name}
          question="Handsets are offered nothing from it until it is resumed."
          small
          onConfirm={() => pause.run(undefined)}
        />
      ) : null}
      {can.resume ? (
        <RolloutLever
          lever="resume"
          name={name}
          question="The current stage runs again and soaks in full before the next one."
          small
          onConfirm={() => resume.run(undefined)}
        />
      ) : null}
      {can.advance ? (
        <RolloutLever
          lever="advance"
          name={name}
          question="The next stage starts now, without waiting for this one to soak."
          small
          onConfirm={async () => {
            try {
              await advance.run(false);
              setOverThreshold(null);
            } catch (err) {
              const e = asApiError(err);
              if (e.code === 'rollout_stage_over_threshold') setOverThreshold(e.message);
              throw err;
            }
          }}
        />
      ) : null}
      {can.advance && overThreshold ? (
        <ConfirmButton
          label="Advance anyway"
          accessibleName={`Advance ${name} over the failure threshold`}
          question="Its failure rate is over the threshold: the next stage gives this build to more handsets. The override is recorded in the audit log."
          confirmLabel="Advance over the threshold"
          busyLabel="Advancing…"
          errorTitle="The rollout was not advanced"
          small
          onConfirm={async () => {
            await advance.run(true);
            setOverThreshold(null);
          }}
        />
      ) : null}
      {can.halt ? (
        <>
          {' '}
          <input
            aria-label={`Why halt ${name}`}
            placeholder="reason for halting"
            value={reason}
            maxLength={500}
            onChange={(e) => setReason(e.target.value)}
          />{' '}
          <RolloutLever
            lever="halt"
            name={name}
            question="Halting is final: handsets are offered this release no more (a new rollout goes on)."
            small
            disabled={reason.trim() === ''}
            onConfirm={() => halt.run(reason.trim())}
          />
        </>
      ) : null}
    </div>
  );
}

function RolloutCard({ r }: { r: OsRollout }) {
  return (
    <article className="card" aria-label={`Rollout of ${r.release?.buildId ?? r.releaseId} for ${r.model}`}>
      <h3>
        {r.model} → {r.release?.buildId ?? r.releaseId}{' '}
        <StatusPill value={r.state} tone={STATE_TONE[r.state]} />
      </h3>
      <p className="muted">
        {whereText(r)} · started {formatDateTime(r.startAt)} · halts above {pct(r.failureThreshold)} failed
        (from {r.minOutcomes} outcomes a stage)
        {r.scope === 'institution' ? ' · counts: your institutions’ handsets' : ''}
      </p>
      {r.haltReason ? (
        <p role="alert">
          <strong>Halted:</strong> {r.haltReason}
        </p>
      ) : null}
      <table className="table" aria-label={`Progress per ring of the ${r.model} rollout`}>
        <thead>
          <tr>
            <th>Ring</th>
            <th>Updated</th>
            <th>Pending</th>
            <th>Failed</th>
            <th>Failure rate</th>
          </tr>
        </thead>
        <tbody>
          {r.rings.map((g) => (
            <tr key={g.ring}>
              <th scope="row">{g.ring}</th>
              <td>{g.updated}</td>
              <td>{g.pending}</td>
              <td>{g.failed}</td>
              <td>{pct(failureRate(g))}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ol className="stages" aria-label={`Stages of the ${r.model} rollout`}>
        {r.stages.map((s, i) => (
          <li key={i} aria-current={s.status === 'current' ? 'step' : undefined}>
            <strong>
              {s.ring} {s.percent}%
            </strong>{' '}
            <span className="muted">
              ({s.status}, soak {s.soakMinutes} min)
            </span>{' '}
            {progressText(s.progress)}
          </li>
        ))}
      </ol>
      <Permitted operation="POST /api/v1/os/rollouts/{id}/halt">
        <RolloutActions r={r} />
      </Permitted>
    </article>
  );
}

/** Rollouts of our releases ring by ring: where each stands, its progress per ring, why it halted. */
export function RolloutsSection() {
  const rollouts = useApiQuery(osQueries.rollouts());
  return (
    <section aria-labelledby="os-rollouts">
      <h2 id="os-rollouts">Rollouts</h2>
      <p className="muted">
        Rings: pilot → early → broad (institutions are in broad unless set: `pakawaaz os ring set`). A rollout
        halts by itself when too many handsets fail the update in its current stage.
      </p>
      {rollouts.error ? <ErrorNotice error={rollouts.error} /> : null}
      {rollouts.data && rollouts.data.rollouts.length === 0 ? (
        <p className="muted">No rollouts yet.</p>
      ) : null}
      {rollouts.data?.rollouts.map((r) => (
        <RolloutCard key={r.id} r={r} />
      ))}
    </section>
  );
}
