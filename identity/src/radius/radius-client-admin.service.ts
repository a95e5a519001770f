import { Inject, Injectable } from '@nestjs/common';
import { AuditService, DATABASE, requireRole, type DatabaseHandle } from '@pakawaaz/platform';
import { and, eq, ne } from 'drizzle-orm';
import type { SecretBox } from '../crypto/secret-box.js';
import { identityError } from '../identity.errors.js';
import { SECRET_BOX } from '../mfa/secret-box.provider.js';
import type { Ctx } from '../users/access.js';
import { parseCidr } from './radius-client-table.js';
import { generateSharedSecret } from './shared-secret.js';
import { RadiusClientsService, type RadiusClientView } from './radius-clients.service.js';
import { radiusClients } from './radius-clients.schema.js';

export type RadiusClientChange = {
  name?: string | undefined;
  cidr?: string | undefined;
  disabled?: boolean | undefined;
};

/**
 * Changing a registered NAS: rename, move (address/CIDR), disable and enable, rotate its shared secret.
 * Each change is audited and reloads every node's client table; a secret is never logged or audited.
 */
@Injectable()
export class RadiusClientAdmin {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    private readonly audit: AuditService,
    private readonly clients: RadiusClientsService,
  ) {}

  async update(idOrName: string, change: RadiusClientChange, ctx: Ctx): Promise<RadiusClientView> {
    requireRole(ctx.principal, 'network-admin', 'security-officer');
    const row = await this.clients.find(idOrName);
    if (change.cidr !== undefined && !parseCidr(change.cidr))
      throw identityError(
        'radius_client_invalid',
        'Give an IPv4/IPv6 address or CIDR block, e.g. 10.20.0.0/16.',
      );
    const set = {
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.cidr !== undefined ? { cidr: change.cidr.trim() } : {}),
      ...(change.disabled !== undefined
        ? { disabledAt: change.disabled ? (row.disabledAt ?? new Date()) : null }
        : {}),
    };
    await this.database.db.transaction(async (tx) => {
      if (
        change.name !== undefined &&
        (
          await tx
            .select({ id: radiusClients.id })
            .from(radiusClients)
            .where(and(eq(radiusClients.name, change.name), ne(radiusClients.id, row.id)))
        ).length
      )
        throw identityError('radius_client_exists', `A RADIUS client named "${change.name}" exists already.`);
      await tx.update(radiusClients).set(set).where(eq(radiusClients.id, row.id));
      await this.audit.record(
        {
          actor: ctx.principal.actor,
          action: 'identity.radius-client.changed',
          target: `radius-client:${row.name}`,
          details: { ...change },
          requestId: ctx.requestId,
        },
        tx,
      );
    });
    await this.clients.changed();
    const { secretRotatedAt, createdAt, id } = row;
    return {
      id,
      name: set.name ?? row.name,
      cidr: set.cidr ?? row.cidr,
      createdAt,
      disabledAt: 'disabledAt' in set ? (set.disabledAt ?? null) : row.disabledAt,
      secretRotatedAt,
    };
  }

  /** A new shared secret (given, or generated and returned once); the old one stops working at once. */
  async rotate(
    idOrName: string,
    given: string | undefined,
    ctx: Ctx,
  ): Promise<{ id: string; secret: string }> {
    requireRole(ctx.principal, 'network-admin', 'security-officer');
    const row = await this.clients.find(idOrName);
    const secret = given ?? generateSharedSecret();
    const sealedSecret = await this.box.seal('radius-secret', Buffer.from(secret, 'utf8'));
    await this.database.db.transaction(async (tx) => {
      await tx
        .update(radiusClients)
        .set({ sealedSecret, secretRotatedAt: new Date() })
        .where(eq(radiusClients.id, row.id));
      await this.audit.record(
        {
          actor: ctx.principal.actor,
          action: 'identity.radius-client.secret-rotated',
          target: `radius-client:${row.name}`,
          requestId: ctx.requestId,
        },
        tx,
      );
    });
    await this.clients.changed();
    return { id: row.id, secret };
  }
}
