import { useState } from 'react';
import { Permitted } from '../../auth/permissions';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field, Form } from '../../components/Form';
import { PageHeader } from '../../components/PageHeader';
import { RolloutLever } from '../../components/RolloutLever';
import { StatusPill } from '../../components/StatusPill';
import { useApiMutation, useApiQuery } from '../../data/hooks';
import { formatCount, formatDateTime } from '../../format';
import { Link } from '../../router';
import { useInstitutions } from '../institutions/queries';
import { storeKeys, storeQueries, storeWrites } from './queries';
import {
  failureRateText,
  parsePercent,
  rolloutActions,
  widenChoices,
  withAdvice,
  type AppRollout,
} from './rollout-rules';
import { ROLLOUT_STATE_TONE, VersionName } from './RolloutsPage';

/** A write whose refusal reads with what to do next (the confirm buttons show what it throws). */
const advised =
  <V, R>(run: (v: V) => Promise<R>) =>
  async (v: V): Promise<R> => {
    try {
      return await run(v);
    } catch (err) {
      throw withAdvice(err);
    }
  };

function Figures({ r }: { r: AppRollout }) {
  const f = r.figures;
  if (!f)
    return (
      <p className="muted">
        No figures: this server has no device management bound, so the rollout&apos;s handsets cannot be
        weighed here.
      </p>
    );
  const rate = failureRateText(f, r.failureThreshold, r.minDevices);
  const stat = (label: string, n: number, bad = false) => (
    <div className={`stat${bad && n > 0 ? ' stat-bad' : ''}`}>
      <dt>{label}</dt>
      <dd>{formatCount(n)}</dd>
    </div>
  );
  return (
    <>
      <dl className="stats stats-compact" aria-label="Figures">
        {stat('Targeted', f.targeted)}
        {stat('Queued', f.queued)}
        {stat('Installed', f.installed)}
        {stat('Failed', f.failed, true)}
        {stat('Crashing', f.crashing, true)}
        {stat('Attestation failures', f.attestationFailures, true)}
      </dl>
      <p className={rate.over ? 'notice notice-warn' : undefined}>
        <strong>Failure rate:</strong> {rate.text}.
      </p>
    </>
  );
}

function WidenForm({ r }: { r: AppRollout }) {
  const [percent, setPercent] = useState('');
  const widen = useApiMutation({
    run: advised((p: number) => storeWrites.widen(r.id, p)),
    invalidates: [storeKeys.rollouts],
    onSuccess: () => setPercent(''),
  });
  const value = parsePercent(percent, r.percent);
  return (
    <Form
      ariaLabel="Widen the rollout"
      onSubmit={() => {
        if (value !== null) widen.start(value);
      }}
      pending={widen.pending}
      error={widen.error}
      errorTitle="The rollout was not widened"
      submitLabel="Widen"
      busyLabel="Widening…"
      disabled={value === null}
    >
      <Field
        id="widen-percent"
        label="New share of handsets (%)"
        hint={`Above ${r.percent}% (a rollout only widens: the handsets it reached stay in). E.g. ${widenChoices(r.percent).join(', ')}.`}
        inline
      >
        <input
          id="widen-percent"
          type="number"
          min={r.percent + 1}
          max={100}
          step={1}
          value={percent}
          aria-describedby="widen-percent-hint"
          onChange={(e) => setPercent(e.target.value)}
        />
      </Field>
    </Form>
  );
}

function Actions({ r, name }: { r: AppRollout; name: string }) {
  const [reason, setReason] = useState('');
  const invalidates = [storeKeys.rollouts];
  const pause = useApiMutation({ run: advised(() => storeWrites.pause(r.id)), invalidates });
  const resume = useApiMutation({ run: advised(() => storeWrites.resume(r.id)), invalidates });
  const halt = useApiMutation({
    run: advised((why: string) => storeWrites.halt(r.id, why)),
    invalidates,
  });
  const can = rolloutActions(r.state);
  if (!can.halt) return <p className="muted">This rollout is {r.state}: nothing more can be done to it.</p>;
  return (
    <>
      {can.widen ? <WidenForm r={r} /> : null}
      <div className="actions">
        {can.pause ? (
          <RolloutLever
            lever="pause"
            name={name}
            question="No new installs until it is resumed (it is still weighed, and may halt)."
            onConfirm={() => pause.run(undefined)}
          />
        ) : null}
        {can.resume ? (
          <RolloutLever
            lever="resume"
            name={name}
            question="Its share of handsets lacking the version get the install again."
            onConfirm={() => resume.run(undefined)}
          />
        ) : null}
      </div>
      <div className="actions">
        <Field id="halt-reason" label="Reason for halting (recorded and audited)" inline grow>
          <input
            id="halt-reason"
            value={reason}
            maxLength={500}
            onChange={(e) => setReason(e.target.value)}
          />
        </Field>
        <RolloutLever
          lever="halt"
          name={name}
          question="Halting is final: nothing more is installed from this rollout (handsets that have the version keep it; use the kill switch to remove it)."
          disabled={reason.trim() === ''}
          onConfirm={async () => {
            await halt.run(reason.trim());
            setReason('');
          }}
        />
      </div>
    </>
  );
}

/** One app rollout: where it stands, its figures weighed from the fleet now, and the operator's levers. */
export function RolloutDetailPage({ id }: { id: string }) {
  const rollout = useApiQuery(storeQueries.rollout(id), { pollMs: 10_000 });
  const apps = useApiQuery(storeQueries.apps());
  const { institutions } = useInstitutions();
  const r = rollout.data;
  const app = r ? apps.data?.apps.find((a) => a.id === r.appId) : undefined;
  const institution = r ? institutions.find((i) => i.id === r.institutionId)?.name : undefined;
  const name = `the rollout of ${app?.packageName ?? 'this app'} in ${institution ?? 'this institution'}`;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/store/rollouts">← App rollouts</Link>
      </p>
      <PageHeader
        title={
          <>
            Rollout of <code className="mono">{app?.packageName ?? '…'}</code>
          </>
        }
        subtitle={
          r ? (
            <>
              Version <VersionName appId={r.appId} versionId={r.versionId} /> · {institution ?? '…'} ·{' '}
              {r.percent}% of its handsets · <StatusPill value={r.state} tone={ROLLOUT_STATE_TONE[r.state]} />
            </>
          ) : null
        }
        onRefresh={rollout.refresh}
        refreshing={rollout.fetching}
      />
      {rollout.error ? (
        <ErrorNotice
          error={withAdvice(rollout.error)}
          title="Could not load the rollout"
          onRetry={rollout.refresh}
        />
      ) : null}
      {rollout.loading ? <p className="muted">Loading…</p> : null}
      {r ? (
        <>
          {r.state === 'halted' && r.haltReason ? (
            <div className="notice notice-error" role="alert" aria-label="Halt reason">
              <strong className="notice-title">Halted</strong>
              <p className="notice-message">{r.haltReason}</p>
            </div>
          ) : null}
          <section className="card" aria-labelledby="rollout-figures">
            <h2 id="rollout-figures">Figures</h2>
            <Figures r={r} />
            <dl className="facts">
              <dt>Halts automatically</dt>
              <dd>
                when more than {(r.failureThreshold * 100).toFixed(1)}% of the attempted handsets fail, from{' '}
                {r.minDevices} attempted
              </dd>
              <dt>Started</dt>
              <dd>
                {formatDateTime(r.createdAt)} by {r.createdByName}
              </dd>
              <dt>Last change</dt>
              <dd>{formatDateTime(r.updatedAt)}</dd>
            </dl>
          </section>
          <Permitted operation="POST /api/v1/store/rollouts/{id}/halt">
            <section className="card" aria-labelledby="rollout-actions">
              <h2 id="rollout-actions">Steer</h2>
              <Actions r={r} name={name} />
            </section>
          </Permitted>
        </>
      ) : null}
    </>
  );
}
