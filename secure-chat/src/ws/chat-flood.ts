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
 * A token bucket: `perSecond` tokens a second, bursts of twice that. Pure; the caller passes the clock.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = perSecond * 2;
    this.at = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(this.perSecond * 2, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whole seconds until a token is back (at least 1). */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond));
  }
}

/**
 * What a device may send: `frames` — WebSocket frames and the HTTP sends (messages, commits) drawing from the
 * same bucket, so a device cannot double its rate by using both — and `claims`, KeyPackage claims (each costs
 * certificate checks of another official's devices). One limiter per node for all of a device's sockets and
 * requests; per node, so a cluster of n nodes lets a device n times through (the load balancer pins it).
 */
export type FloodKind = 'frames' | 'claims';
const MAX_TRACKED = 100_000;

@Injectable()
export class ChatFlood {
  /** By kind, then device (no key built per frame: this runs for every frame of every socket). */
  private readonly buckets: Record<FloodKind, Map<string, TokenBucket>> = {
    frames: new Map(),
    claims: new Map(),
  };

  constructor(@Inject(SECURE_CHAT_CONFIG) private readonly config: SecureChatConfig) {}

  perSecond(kind: FloodKind): number {
    return kind === 'frames' ? this.config.wsFramesPerSecond : this.config.claimsPerSecond;
  }

  /** Null when the device may go on; else the seconds it should wait. */
  take(kind: FloodKind, deviceId: string, now = Date.now()): number | null {
    const buckets = this.buckets[kind];
    let bucket = buckets.get(deviceId);
    if (!bucket) {
      // A bounded memory: forgetting every bucket at once only hands out fresh bursts.
      if (buckets.size >= MAX_TRACKED) buckets.clear();
      bucket = new TokenBucket(this.perSecond(kind), now);
      buckets.set(deviceId, bucket);
    }
    return bucket.take(now) ? null : bucket.retryAfterSeconds();
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
