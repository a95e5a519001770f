import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService, requireRole, type Db, type Principal } from '@pakawaaz/platform';
import { callsError } from '../calls.errors.js';
import { CALLS_SECRETS, type CallsSecrets } from './calls-secrets.js';
import { JanusAdmin } from './janus-admin.js';
import { MediaHostsRepository, type MediaHostRow } from './media-hosts.repository.js';
import { placeRoom } from './placement.js';

export type Ctx = { readonly principal: Principal; readonly requestId: string | null };
export type NewHost = {
  name: string;
  wsUrl: string;
  adminUrl: string;
  adminSecret: string;
  capacity: number;
};
export type MediaHostView = {
  id: string;
  name: string;
  wsUrl: string;
  adminUrl: string;
  capacity: number;
  rooms: number;
  enabled: boolean;
  embedded: boolean;
  health: 'unknown' | 'up' | 'down';
  healthDetail: string | null;
  janusVersion: string | null;
  sessions: number | null;
  checkedAt: string | null;
};

/**
 * The registry of media hosts (national infrastructure): adding one checks its admin API with the given secret
 * first, then stores the secret sealed; removing one is refused while it holds live calls. Audited; a secret is
 * never logged, audited or returned.
 */
@Injectable()
export class MediaHostsService {
  private readonly admins = new Map<string, { sealed: string; admin: JanusAdmin }>();

  constructor(
    private readonly repo: MediaHostsRepository,
    @Inject(CALLS_SECRETS) private readonly secrets: CallsSecrets,
    private readonly audit: AuditService,
  ) {}

  async list(ctx: Ctx): Promise<{ hosts: MediaHostView[] }> {
    requireRole(ctx.principal, 'media-admin');
    const [rows, rooms] = await Promise.all([this.repo.list(), this.repo.liveRooms()]);
    return { hosts: rows.map((r) => view(r, rooms.get(r.id) ?? 0)) };
  }

  async add(input: NewHost, ctx: Ctx): Promise<MediaHostView> {
    requireRole(ctx.principal, 'media-admin');
    if (await this.repo.find(input.name)) throw callsError('media_host_exists', 'A host has this name.');
    try {
      await new JanusAdmin(input.adminUrl, input.adminSecret).info();
    } catch (err) {
      throw callsError(
        'media_host_unreachable',
        `The host's admin API did not answer: ${(err as Error).message}`,
      );
    }
    const row = {
      id: randomUUID(),
      name: input.name,
      wsUrl: input.wsUrl,
      adminUrl: input.adminUrl,
      adminSecretSealed: await this.secrets.seal(input.adminSecret),
      capacity: input.capacity,
    };
    await this.repo.db.transaction(async (tx) => {
      if (!(await this.repo.insert(row, tx))) throw callsError('media_host_exists', 'A host has this name.');
      await this.audit.record(
        {
          actor: ctx.principal.actor,
          action: 'secure-chat.media-host.added',
          target: `media-host:${row.name}`,
          details: { wsUrl: row.wsUrl, adminUrl: row.adminUrl, capacity: row.capacity },
          requestId: ctx.requestId,
        },
        tx,
      );
    });
    const stored = await this.repo.find(row.id);
    return view(stored!, 0);
  }

  async remove(idOrName: string, ctx: Ctx): Promise<{ removed: string }> {
    requireRole(ctx.principal, 'media-admin');
    const row = await this.repo.find(idOrName);
    if (!row) throw callsError('media_host_not_found', 'No media host has this id or name.');
    await this.repo.db.transaction(async (tx) => {
      await this.repo.lockPlacement(tx);
      const rooms = (await this.repo.liveRooms(tx)).get(row.id) ?? 0;
      if (rooms > 0) throw callsError('media_host_busy', 'The host holds live calls.', { rooms });
      await this.repo.remove(row.id, tx);
      await this.audit.record(
        {
          actor: ctx.principal.actor,
          action: 'secure-chat.media-host.removed',
          target: `media-host:${row.name}`,
          requestId: ctx.requestId,
        },
        tx,
      );
    });
    this.admins.delete(row.id);
    return { removed: row.id };
  }

  /** The admin driver of a host (its secret opened once per sealed value). */
  async adminOf(row: Pick<MediaHostRow, 'id' | 'adminUrl' | 'adminSecretSealed'>): Promise<JanusAdmin> {
    const cached = this.admins.get(row.id);
    if (cached?.sealed === row.adminSecretSealed) return cached.admin;
    const admin = new JanusAdmin(row.adminUrl, await this.secrets.open(row.adminSecretSealed));
    this.admins.set(row.id, { sealed: row.adminSecretSealed, admin });
    return admin;
  }

  /** Inside a placement transaction (locked): the host a new call's room goes to, or calls_unavailable. */
  async place(tx: Db): Promise<MediaHostRow> {
    await this.repo.lockPlacement(tx);
    const [rows, rooms] = await Promise.all([this.repo.list(tx), this.repo.liveRooms(tx)]);
    const chosen = placeRoom(rows.map((r) => ({ ...r, rooms: rooms.get(r.id) ?? 0 })));
    if (!chosen)
      throw callsError(
        'calls_unavailable',
        'No media host is up with room for another call: calls are unavailable for now.',
      );
    return rows.find((r) => r.id === chosen.id)!;
  }
}

function view(r: MediaHostRow, rooms: number): MediaHostView {
  return {
    id: r.id,
    name: r.name,
    wsUrl: r.wsUrl,
    adminUrl: r.adminUrl,
    capacity: r.capacity,
    rooms,
    enabled: r.enabled,
    embedded: r.embedded,
    health: r.health,
    healthDetail: r.healthDetail,
    janusVersion: r.janusVersion,
    sessions: r.sessions,
    checkedAt: r.checkedAt?.toISOString() ?? null,
  };
}
