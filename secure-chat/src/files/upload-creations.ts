import { secureChatError } from '../secure-chat.errors.js';
import { TokenBucket } from '../ws/chat-flood.js';

const MAX_TRACKED = 100_000;

/**
 * How many uploads one uploader (a handset, or an official's token) may create: `perMinute` a minute, in
 * bursts of as many — the chat's token bucket. Each creation costs a database row and a file on disk, and a
 * deleted one a tombstone kept for weeks, so create-and-cancel in a loop is refused before it costs them. Per
 * node, like the chat's flood limits (the load balancer pins a client to one node).
 */
export class UploadCreations {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly perMinute: number) {}

  /** 429 chat_rate_limited with Retry-After (the error filter sends details.retryAfterSeconds as the header). */
  require(uploader: { userId: string; deviceId: string | null }, now = Date.now()): void {
    const key = uploader.deviceId === null ? `user:${uploader.userId}` : `device:${uploader.deviceId}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      // A bounded memory: forgetting every bucket at once only hands out fresh bursts.
      if (this.buckets.size >= MAX_TRACKED) this.buckets.clear();
      bucket = new TokenBucket(this.perMinute / 60, now, this.perMinute);
      this.buckets.set(key, bucket);
    }
    if (!bucket.take(now))
      throw secureChatError(
        'chat_rate_limited',
        `More than ${this.perMinute} uploads a minute from this ${uploader.deviceId ? 'handset' : 'account'}: wait, then try again.`,
        { retryAfterSeconds: bucket.retryAfterSeconds() },
      );
  }
}
