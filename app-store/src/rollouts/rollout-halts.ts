import { AuditService, type DatabaseHandle, type Logger } from '@pakawaaz/platform';
import { type AppFleet } from './app-fleet.js';
import { rolloutInstallPrefix, type AppRolloutFigures, type AppRolloutState } from './app-rollout-rules.js';
import { AppRolloutsRepository, type AppRolloutRow } from './app-rollouts.repository.js';
import { SYSTEM } from './rollout-pass.js';

/** Who halts: an operator's actor and request, or null for the automatic halt. */
export type HaltedBy = {
  actor: Parameters<AuditService['record']>[0]['actor'];
  requestId: string;
} | null;

/** The engine's halts of rollouts, and the cancel of the installs a halted rollout left queued. */
export class RolloutHalts {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly repo: AppRolloutsRepository,
    private readonly audit: AuditService,
    private readonly fleet?: AppFleet,
    private readonly logger?: Logger,
  ) {}

  /**
   * Halts a rollout still in one of `from` (audited). `by` null: the automatic halt, which is also logged as
   * an error so that the NOC sees it. Undefined when it was not in `from` any more.
   */
  async halt(
    id: string,
    reason: string,
    from: readonly AppRolloutState[],
    by: HaltedBy,
    figures?: AppRolloutFigures,
  ): Promise<AppRolloutRow | undefined> {
    const row = await this.database.db.transaction(async (tx) => {
      const halted = await this.repo.transition(id, from, { state: 'halted', haltReason: reason }, tx);
      if (halted)
        await this.audit.record(
          {
            actor: by?.actor ?? SYSTEM,
            action: 'app-store.rollout.halted',
            target: `app-rollout:${id}`,
            details: {
              versionId: halted.versionId,
              institutionId: halted.institutionId,
              reason,
              automatic: by === null,
              ...(figures ? { figures } : {}),
            },
            ...(by ? { requestId: by.requestId } : {}),
          },
          tx,
        );
      return halted;
    });
    if (row && by === null)
      this.logger?.error(
        { rollout: id, versionId: row.versionId, institutionId: row.institutionId, reason },
        'app rollout halted automatically',
      );
    if (row) await this.cancelInstalls(row);
    return row;
  }

  /**
   * Cancels a halted rollout's installs that have not reached handsets (the fleet's `cancel`: queued, and
   * delivered but unacknowledged), and notes it on the row. Without a fleet, or when the fleet fails, the halt
   * stands and a later tick on a node with a fleet cancels them. Handsets keep what they installed.
   */
  async cancelInstalls(r: AppRolloutRow): Promise<number> {
    if (!this.fleet) return 0;
    try {
      const cancelled = await this.fleet.cancel(
        rolloutInstallPrefix(r.versionId, r.id),
        `rollout halted: ${r.haltReason ?? ''}`.slice(0, 1_000),
      );
      await this.repo.installsCancelled(r.id);
      if (cancelled > 0)
        this.logger?.info(
          { rollout: r.id, commands: cancelled },
          'halted app rollout: queued installs cancelled',
        );
      return cancelled;
    } catch (err) {
      this.logger?.error({ err, rollout: r.id }, 'cancelling a halted app rollout’s installs failed');
      return 0;
    }
  }
}
