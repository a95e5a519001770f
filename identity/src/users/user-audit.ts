import type { AuditService, Db } from '@pakawaaz/platform';
import type { Ctx } from './access.js';
import type { UserRow } from './users.repository.js';

/** An audit entry about a user, in the transaction of the change. */
export async function recordOn(
  audit: AuditService,
  tx: Db,
  ctx: Ctx,
  action: string,
  row: UserRow,
  details: Record<string, unknown>,
): Promise<void> {
  await audit.record(
    {
      actor: ctx.principal.actor,
      action,
      target: `user:${row.username}`,
      details: { id: row.id, ...details },
      requestId: ctx.requestId,
    },
    tx,
  );
}
