import {
  Inject,
  Injectable,
  SetMetadata,
  UseGuards,
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCodes, type DevicePrincipal } from '@pakawaaz/platform';
import { SECURE_CHAT_CONFIG, type SecureChatConfig } from '../secure-chat.config.js';
import { SECURE_CHAT_ERROR_STATUS, secureChatError } from '../secure-chat.errors.js';

/**
 * A token bucket: `perSecond` tokens a second, bursts of `burst` (by default twice that). Pure; the caller
 * passes the clock.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perSecond: number,
    now: number,
    private readonly burst = perSecond * 2,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** Takes `cost` tokens (a frame: 1; its bytes: as many) if there are that many. */
  take(now: number, cost = 1): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** Whole seconds until `cost` tokens are back (at least 1). */
  retryAfterSeconds(cost = 1): number {
    return Math.max(1, Math.ceil((cost - this.tokens) / this.perSecond));
  }
}

/**
 * What a device may send: `frames` — WebSocket frames and the HTTP sends (messages, commits) drawing from the
 * same bucket, so a device cannot double its rate by using both — `bytes`, the bytes of its WebSocket frames
 * (each is parsed synchronously: 50 frames a second of 3 MiB each would be 150 MiB/s of JSON), and `claims`,
 * KeyPackage claims (each costs certificate checks of another official's devices). One limiter per node for all of a device's sockets and
 * requests; per node, so a cluster of n nodes lets a device n times through (the load balancer pins it).
 */
export type FloodKind = 'frames' | 'bytes' | 'claims';
const MAX_TRACKED = 100_000;

@Injectable()
export class ChatFlood {
  /** By kind, then device (no key built per frame: this runs for every frame of every socket). */
  private readonly buckets: Record<FloodKind, Map<string, TokenBucket>> = {
    frames: new Map(),
    bytes: new Map(),
    claims: new Map(),
  };

  constructor(@Inject(SECURE_CHAT_CONFIG) private readonly config: SecureChatConfig) {}

  perSecond(kind: FloodKind): number {
    if (kind === 'bytes') return this.config.wsBytesPerSecond;
    return kind === 'frames' ? this.config.wsFramesPerSecond : this.config.claimsPerSecond;
  }

  /** A WebSocket frame of `bytes`: null when the device may go on; else the limit it went over, in words. */
  socketFrame(deviceId: string, bytes: number, now = Date.now()): string | null {
    if (this.take('frames', deviceId, now) !== null)
      return `More than ${this.config.wsFramesPerSecond} frames a second: frames are dropped; slow down.`;
    if (this.take('bytes', deviceId, now, bytes) !== null)
      return `More than ${this.config.wsBytesPerSecond} bytes of frames a second: frames are dropped; slow down.`;
    return null;
  }

  /** Null when the device may go on (`cost` tokens taken); else the seconds it should wait. */
  take(kind: FloodKind, deviceId: string, now = Date.now(), cost = 1): number | null {
    const buckets = this.buckets[kind];
    let bucket = buckets.get(deviceId);
    if (!bucket) {
      // A bounded memory: forgetting every bucket at once only hands out fresh bursts.
      if (buckets.size >= MAX_TRACKED) buckets.clear();
      bucket = new TokenBucket(this.perSecond(kind), now);
      buckets.set(deviceId, bucket);
    }
    return bucket.take(now, cost) ? null : bucket.retryAfterSeconds(cost);
  }

  /** 429 chat_rate_limited with Retry-After (the error filter sends details.retryAfterSeconds as the header). */
  require(kind: FloodKind, deviceId: string, now = Date.now()): void {
    const wait = this.take(kind, deviceId, now);
    if (wait !== null)
      throw secureChatError(
        'chat_rate_limited',
        `More than ${this.perSecond(kind)} ${kind === 'frames' ? 'sends' : 'KeyPackage claims'} a second from this device: slow down.`,
        { retryAfterSeconds: wait },
      );
  }
}

const FLOOD_KIND = 'pakawaaz:chat-flood';

/** Runs after authentication (global guards first): the device's request draws on its bucket. */
@Injectable()
export class ChatFloodGuard implements CanActivate {
  constructor(
    private readonly flood: ChatFlood,
    private readonly reflector: Reflector,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const kind = this.reflector.get<FloodKind | undefined>(FLOOD_KIND, ctx.getHandler());
    const device = ctx.switchToHttp().getRequest<{ device?: DevicePrincipal }>().device;
    if (kind && device) this.flood.require(kind, device.deviceId);
    return true;
  }
}

/** A device route limited like the chat socket's frames (`frames`) or KeyPackage claims (`claims`). */
export const FloodLimited = (kind: FloodKind) =>
  applyDecorators(
    SetMetadata(FLOOD_KIND, kind),
    UseGuards(ChatFloodGuard),
    ErrorCodes(SECURE_CHAT_ERROR_STATUS, 'chat_rate_limited'),
  );
