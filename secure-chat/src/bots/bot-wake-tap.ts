import { Injectable } from '@nestjs/common';

/**
 * Where CHAT_WAKE's `queued` reaches bots' webhooks. A holder without dependencies: BotWebhooks (which reads
 * queues through DeliveryService, which needs CHAT_WAKE) plugs itself in, so the graph has no cycle.
 */
@Injectable()
export class BotWakeTap {
  listener: ((deviceIds: readonly string[]) => void) | undefined;
}
