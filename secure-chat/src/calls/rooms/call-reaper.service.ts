import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { LOGGER, type Logger } from '@pakawaaz/platform';
import { CALLS_CONFIG, type CallsConfig } from '../calls.config.js';
import { MediaHostsRepository, type MediaHostRow } from '../media-hosts/media-hosts.repository.js';
import { MediaHostsService } from '../media-hosts/media-hosts.service.js';
import { CALLS_SECRETS, type CallsSecrets } from '../media-hosts/calls-secrets.js';
import { callOfRoom, CallRoomsService } from './call-rooms.service.js';
import { Rounds } from '../rounds.js';
import { CallsRepository } from './calls.repository.js';

/**
 * Keeps capacity and rooms honest, every quarter of PAKAWAAZ_CALLS_IDLE_SECONDS: a live call whose Janus room
 * has had nobody in it for that long is ended (`nobody_joined`) — a started call nobody uses does not hold a
 * room — whoever is in a live call's room under an id the call's record does not have joined is kicked
 * (`CallRoomsService.evictStrangers`), and every host that is up is swept of rooms without a live call (calls
 * ended while the host was down, a destroy that failed), retried each round until Janus confirms.
 */
@Injectable()
export class CallReaperService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly emptySince = new Map<string, number>();
  private readonly rounds = new Rounds(
    () => this.round(),
    () => Math.max(1000, this.config.idleMs / 4),
    (err) => this.logger.error({ err }, 'call reaper round failed'),
  );

  constructor(
    private readonly calls: CallsRepository,
    private readonly rooms: CallRoomsService,
    private readonly hostsRepo: MediaHostsRepository,
    private readonly hosts: MediaHostsService,
    @Inject(CALLS_SECRETS) private readonly secrets: CallsSecrets,
    @Inject(CALLS_CONFIG) private readonly config: Pick<CallsConfig, 'idleMs'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.rounds.start(Math.max(1000, this.config.idleMs / 4));
  }

  onModuleDestroy(): void {
    this.rounds.stop();
  }

  /** One round (the timer's work; tests call it with their clock). */
  async round(now = Date.now()): Promise<void> {
    await this.reapIdle(now);
    await this.evictStrangers(now);
    for (const host of await this.hostsRepo.list())
      if (host.enabled && host.health === 'up') await this.sweepOrphans(host);
  }

  /** Ends the live calls whose rooms have been empty in Janus for the idle time; the ended call ids. */
  async reapIdle(now = Date.now()): Promise<string[]> {
    const ended: string[] = [];
    const live = await this.calls.liveCallsStartedBefore(new Date(now - this.config.idleMs));
    const seen = new Set(live.map((c) => c.id));
    for (const id of this.emptySince.keys()) if (!seen.has(id)) this.emptySince.delete(id);
    for (const call of live) {
      const host = await this.hostsRepo.find(call.hostId);
      if (!host) continue;
      let present: number;
      try {
        present = (await (await this.hosts.adminOf(host)).participants(call.roomId)).length;
      } catch {
        continue; // the host's health decides about hosts that do not answer
      }
      if (present > 0) {
        this.emptySince.delete(call.id);
        continue;
      }
      const since = this.emptySince.get(call.id) ?? now;
      this.emptySince.set(call.id, since);
      if (now - since < this.config.idleMs) continue;
      this.emptySince.delete(call.id);
      await this.rooms.finish(call, 'nobody_joined');
      ended.push(call.id);
    }
    if (ended.length > 0) this.logger.info({ calls: ended.length }, 'idle calls ended');
    return ended;
  }

  /** Kicks, in every live call's room, whoever is there under an id the call's record does not have joined. */
  async evictStrangers(now = Date.now()): Promise<number> {
    let kicked = 0;
    for (const call of await this.calls.liveCallsStartedBefore(new Date(now + 1)))
      kicked += await this.rooms.evictStrangers(call).catch((err: unknown) => {
        this.rooms.warn(err, call.id);
        return 0;
      });
    return kicked;
  }

  /** Destroys the host's Janus rooms that belong to no live call; how many it destroyed. */
  async sweepOrphans(host: Pick<MediaHostRow, 'id' | 'name' | 'adminUrl' | 'adminSecretSealed'>) {
    let destroyed = 0;
    try {
      const admin = await this.hosts.adminOf(host);
      const rooms = await admin.rooms();
      const live = await this.calls.liveRoomIds(host.id);
      for (const r of rooms) {
        if (live.has(r.room)) continue;
        try {
          const callId = callOfRoom(r.description);
          if (callId) await admin.destroyRoom(r.room, await this.secrets.roomSecret(callId));
          else await admin.destroyLegacyRoom(r.room);
          destroyed++;
        } catch (err) {
          this.logger.warn({ err, host: host.name, room: r.room }, 'orphan room not destroyed (retried)');
        }
      }
    } catch (err) {
      this.logger.warn({ err, host: host.name }, 'orphan sweep failed (retried)');
    }
    if (destroyed > 0) this.logger.info({ host: host.name, destroyed }, 'orphan call rooms destroyed');
    return destroyed;
  }
}
