import type { ExecutionContext } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { AppError } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import type { SecureChatConfig } from '../../secure-chat.config.js';
import { ChatFlood, ChatFloodGuard } from '../../ws/chat-flood.js';
import { CallsController } from './calls.controller.js';

/** Every device calls route draws on the chat flood limiter (its claims bucket), per device. */
describe('calls routes under the chat flood limiter', () => {
  const routes = ['start', 'get', 'join', 'leave', 'end'] as const;

  it.each(routes)('%s: guarded, and refused with 429 chat_rate_limited past the burst', (name) => {
    // The method object itself (the metadata's key), never called here.
    const handler = Object.getOwnPropertyDescriptor(CallsController.prototype, name)!.value as object;
    expect(Reflect.getMetadata(GUARDS_METADATA, handler)).toContain(ChatFloodGuard);
    const guard = new ChatFloodGuard(
      new ChatFlood({ claimsPerSecond: 1 } as SecureChatConfig),
      new Reflector(),
    );
    const ctx = (deviceId: string) =>
      ({
        getHandler: () => handler,
        switchToHttp: () => ({ getRequest: () => ({ device: { deviceId } }) }),
      }) as unknown as ExecutionContext;
    expect(guard.canActivate(ctx('d1'))).toBe(true);
    expect(guard.canActivate(ctx('d1'))).toBe(true);
    let refused: unknown;
    try {
      guard.canActivate(ctx('d1'));
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'chat_rate_limited' });
    expect(guard.canActivate(ctx('d2'))).toBe(true);
  });
});
