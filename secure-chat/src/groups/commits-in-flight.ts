import { secureChatError } from '../secure-chat.errors.js';

/** What a device is told to wait when its previous commit is still being checked. */
export const COMMIT_IN_FLIGHT_RETRY_AFTER_SECONDS = 1;

/**
 * One commit in flight per device on this node: a commit's check is the dearest work of the delivery service
 * (signatures, tree hashes, every added KeyPackage), so a device waits for the answer to its last commit
 * before it sends the next (429 chat_rate_limited with Retry-After otherwise). An honest client commits one at
 * a time anyway: each commit is for the epoch the previous one made. A retry of the commit in flight (the same
 * client id, e.g. after a connection reset) is no second commit: it waits for the first's answer and gets it,
 * so the client never takes a refusal for a commit the server then registers.
 */
export class CommitsInFlight {
  private readonly devices = new Map<string, { retry: string; answer: Promise<unknown> }>();

  /** `retry` names the commit (its group and client id): the same name is a retry of the same commit. */
  async one<T>(deviceId: string, retry: string, run: () => Promise<T>): Promise<T> {
    const current = this.devices.get(deviceId);
    if (current?.retry === retry) return current.answer as Promise<T>;
    if (current)
      throw secureChatError(
        'chat_rate_limited',
        'This device has a commit being checked: wait for its answer before sending another.',
        { retryAfterSeconds: COMMIT_IN_FLIGHT_RETRY_AFTER_SECONDS },
      );
    const answer = run();
    this.devices.set(deviceId, { retry, answer });
    try {
      return await answer;
    } finally {
      this.devices.delete(deviceId);
    }
  }
}
