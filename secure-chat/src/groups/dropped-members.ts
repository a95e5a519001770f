import { Inject, Injectable, Optional } from '@nestjs/common';
import { EVENT_BUS, LOGGER, type EventBus, type Logger } from '@pakawaaz/platform';
import { GroupMembersDropped, WAKE_BATCH } from '../secure-chat.events.js';

/**
 * Says which devices an accepted commit dropped from a group (GroupMembersDropped), so the calls module can
 * kick them from the group's live call without groups depending on calls. Best effort after the commit: a
 * publish that fails is logged (the kick consumer is durable, so a published event is retried until done).
 */
@Injectable()
export class DroppedMembers {
  constructor(
    @Optional() @Inject(EVENT_BUS) private readonly bus?: EventBus | null,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  dropped(groupId: string, deviceIds: readonly string[]): void {
    for (let i = 0; i < deviceIds.length; i += WAKE_BATCH) {
      const batch = deviceIds.slice(i, i + WAKE_BATCH);
      void Promise.resolve(
        this.bus?.publish(GroupMembersDropped.create({ groupId, deviceIds: batch })),
      ).catch((err: unknown) =>
        this.logger?.warn({ err, groupId, deviceIds: batch }, 'chat: dropped members not told to calls'),
      );
    }
  }
}
