import { secureChatError } from '../secure-chat.errors.js';

/** What a device is told to wait when its previous commit is still being checked. */
export const COMMIT_IN_FLIGHT_RETRY_AFTER_SECONDS = 1;

/**
 * One commit in flight per device on this node: a commit's check is the dearest work of the delivery service
 * (signatures, tree hashes, every added KeyPackage), so a device waits for the answer to its last commit
 * before it sends the next (429 chat_rate_limited with Retry-After otherwise). An honest client commits one at
 * a time anyway: each commit is for the epoch the previous one made.
 */
export class CommitsInFlight {
  private readonly devices = new Set<string>();

  async one<T>(deviceId: string, run: () => Promise<T>): Promise<T> {
    if (this.devices.has(deviceId))
      throw secureChatError(
        'chat_rate_limited',
        'This device has a commit being checked: wait for its answer before sending another.',
        { retryAfterSeconds: COMMIT_IN_FLIGHT_RETRY_AFTER_SECONDS },
      );
    this.devices.add(deviceId);
    try {
      return await run();
    } finally {
      this.devices.delete(deviceId);
    }
  }
}
