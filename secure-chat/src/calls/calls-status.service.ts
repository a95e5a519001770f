import { Injectable } from '@nestjs/common';
import { requireRole, type Principal } from '@pakawaaz/platform';
import { EmbeddedJanusService } from './media-hosts/embedded-janus.service.js';
import { MediaHostsRepository } from './media-hosts/media-hosts.repository.js';
import { turnTargets } from './turn/turn-health.js';
import { TurnHealthService, type TurnServerStatus } from './turn/turn-health.service.js';
import { TurnService, type TurnStatus } from './turn/turn.service.js';

export type CallsStatus = {
  calls: 'available' | 'disabled';
  reason: string | null;
  embeddedJanus: { state: string; detail: string | null };
  hosts: { total: number; up: number; liveRooms: number };
  turn: TurnStatus & { servers: TurnServerStatus[]; unprobed: string[] };
};

/** Whether calls work now, and why not: the NOC's and the operator's first question. */
@Injectable()
export class CallsStatusService {
  constructor(
    private readonly repo: MediaHostsRepository,
    private readonly embedded: EmbeddedJanusService,
    private readonly turn: TurnService,
    private readonly turnHealth: TurnHealthService,
  ) {}

  async status(principal: Principal): Promise<CallsStatus> {
    requireRole(principal, 'media-admin', 'viewer');
    return this.current();
  }

  async current(): Promise<CallsStatus> {
    const [rows, rooms, servers] = await Promise.all([
      this.repo.list(),
      this.repo.liveRooms(),
      this.turnHealth.status(),
    ]);
    const turn = this.turn.status();
    const up = rows.filter((r) => r.enabled && r.health === 'up').length;
    const e = this.embedded.status;
    const embeddedJanus = { state: e.state, detail: 'detail' in e ? e.detail : null };
    const reason =
      up > 0
        ? null
        : rows.length === 0
          ? `no media host: ${embeddedJanus.detail ?? 'none registered'}`
          : 'no media host is up';
    return {
      calls: up > 0 ? 'available' : 'disabled',
      reason,
      embeddedJanus,
      hosts: { total: rows.length, up, liveRooms: [...rooms.values()].reduce((a, b) => a + b, 0) },
      turn: { ...turn, servers, unprobed: turnTargets(turn.urls).unprobed },
    };
  }
}
