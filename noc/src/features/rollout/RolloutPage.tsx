import { api, unwrap, type Schemas } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { StatusPill } from '../../components/StatusPill';
import { Permitted, usePermissions } from '../../auth/permissions';
import { useApiMutation } from '../../data/hooks';
import { formatCount } from '../../format';
import { INSTITUTIONS_KEY } from '../institutions/queries';
import { PHASE_TONE, PHASES, type Phase } from '../institutions/options';
import { ROLLOUT_KEY, useRolloutPlan } from './queries';

type Plan = Schemas['RolloutPlan'];
type Member = Plan['institutions'][number];

const phaseLabel = (phase: Phase) => PHASES.find((p) => p.value === phase)?.label ?? phase;
const list = (names: readonly string[]) => (names.length ? names.join(', ') : '—');

/** The national rollout: what each phase enables, which institutions are in it, and moving them on. */
export function RolloutPage() {
  const { can } = usePermissions();
  const { plan, error, fetching, refresh } = useRolloutPlan();
  const canMove = can('POST /api/v1/institutions/{id}/rollout-phase');

  return (
    <>
      <PageHeader
        title="Rollout"
        subtitle={
          <>
            Each institution is in a rollout phase; its officials get what its phase enables. Moving an
            institution to the next phase is audited and takes effect at once.
          </>
        }
        onRefresh={refresh}
        refreshing={fetching}
      />
      <Permitted operation="POST /api/v1/institutions/{id}/rollout-phase" explain="Moving institutions">
        {null}
      </Permitted>
      {error ? <ErrorNotice error={error} title="Could not load the rollout plan" onRetry={refresh} /> : null}
      <PhasesTable plan={plan} />
      <InstitutionsTable plan={plan} canMove={canMove} />
    </>
  );
}

function PhasesTable({ plan }: { plan: Plan | undefined }) {
  return (
    <section aria-labelledby="phases-heading">
      <h2 id="phases-heading">Phases</h2>
      <div className="table-wrap">
        <table className="table" aria-busy={!plan}>
          <thead>
            <tr>
              <th scope="col">Phase</th>
              <th scope="col">New in this phase</th>
              <th scope="col">Officials get</th>
              <th scope="col" className="num">
                Institutions
              </th>
            </tr>
          </thead>
          <tbody>
            {plan?.phases.map((p) => (
              <tr key={p.phase}>
                <th scope="row">
                  <StatusPill value={phaseLabel(p.phase)} tone={PHASE_TONE[p.phase]} />
                </th>
                <td>{list(p.introduces)}</td>
                <td>{list(p.enables)}</td>
                <td className="num">{formatCount(p.institutions)}</td>
              </tr>
            ))}
            {!plan ? (
              <tr>
                <td colSpan={4} className="empty">
                  Loading…
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {plan?.capabilities.some((c) => c.overridden) ? (
        <p className="table-footer muted">
          Set by PAKAWAAZ_ROLLOUT_PLAN:{' '}
          {plan.capabilities
            .filter((c) => c.overridden)
            .map((c) => `${c.name} from ${phaseLabel(c.firstPhase)}`)
            .join(', ')}
        </p>
      ) : null}
    </section>
  );
}

function InstitutionsTable({ plan, canMove }: { plan: Plan | undefined; canMove: boolean }) {
  return (
    <section aria-labelledby="rollout-institutions-heading">
      <h2 id="rollout-institutions-heading">Institutions</h2>
      <div className="table-wrap">
        <table className="table" aria-busy={!plan}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Phase</th>
              <th scope="col" className="num">
                Users
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {plan?.institutions.map((i) => (
              <InstitutionPhaseRow key={`${i.id}-${i.phase}`} institution={i} plan={plan} canMove={canMove} />
            ))}
            {plan && plan.institutions.length === 0 ? (
              <tr>
                <td colSpan={4} className="empty">
                  No institution yet.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function InstitutionPhaseRow({
  institution,
  plan,
  canMove,
}: {
  institution: Member;
  plan: Plan;
  canMove: boolean;
}) {
  const { id, name, phase, nextPhase } = institution;
  const move = useApiMutation({
    run: (to: Phase) =>
      unwrap(
        api.POST('/api/v1/institutions/{id}/rollout-phase', {
          params: { path: { id } },
          body: { phase: to, from: phase },
        }),
      ),
    invalidates: [ROLLOUT_KEY, INSTITUTIONS_KEY],
  });
  const next = nextPhase ? plan.phases.find((p) => p.phase === nextPhase) : undefined;
  return (
    <tr>
      <th scope="row">{name}</th>
      <td>
        <StatusPill value={phaseLabel(phase)} tone={PHASE_TONE[phase]} />
      </td>
      <td className="num">{formatCount(institution.users)}</td>
      <td>
        {!next ? (
          <span className="muted">last phase</span>
        ) : canMove ? (
          <ConfirmButton
            label="Move to next phase"
            accessibleName={`Move ${name} to the next phase`}
            question={`Move ${name} from ${phaseLabel(phase)} to ${phaseLabel(next.phase)}? Its officials get ${list(next.introduces)} in addition. The move is audited.`}
            confirmLabel={`Move to ${phaseLabel(next.phase)}`}
            busyLabel="Moving…"
            errorTitle="The institution was not moved"
            tone="primary"
            small
            onConfirm={async () => {
              await move.run(next.phase);
            }}
          />
        ) : null}
      </td>
    </tr>
  );
}
