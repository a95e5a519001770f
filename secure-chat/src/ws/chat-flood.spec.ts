import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { AppError } from '@pakawaaz/platform';
import { ChatController } from '../chat.controller.js';
import type { SecureChatConfig } from '../secure-chat.config.js';
import { ChatFlood, TokenBucket } from './chat-flood.js';

const config = { wsFramesPerSecond: 4, wsBytesPerSecond: 1000, claimsPerSecond: 1 } as SecureChatConfig;

describe('chat flood limits', () => {
  it('a token bucket allows a burst of twice the rate, then refills with the clock', () => {
    const b = new TokenBucket(2, 0);
    expect([1, 2, 3, 4, 5].map(() => b.take(0))).toEqual([true, true, true, true, false]);
    expect(b.retryAfterSeconds()).toBe(1);
    expect(b.take(500)).toBe(true); // half a second: one token back
    expect(b.take(500)).toBe(false);
  });

  it('keeps one bucket per device and kind: sends and claims do not draw on each other', () => {
    const flood = new ChatFlood(config);
    for (let i = 0; i < 8; i++) expect(flood.take('frames', 'd1', 0)).toBeNull();
    expect(flood.take('frames', 'd1', 0)).toBe(1);
    expect(flood.take('frames', 'd2', 0)).toBeNull();
    expect(flood.take('claims', 'd1', 0)).toBeNull();
    expect(flood.take('claims', 'd1', 0)).toBeNull();
    expect(flood.take('claims', 'd1', 0)).toBe(1);
  });

  it('limits a socket’s frames by their bytes as well as their number (bursts of twice each)', () => {
    const flood = new ChatFlood(config);
    expect(flood.socketFrame('d1', 1500, 0)).toBeNull();
    expect(flood.socketFrame('d1', 600, 0)).toMatch(/^More than 1000 bytes of frames a second/);
    expect(flood.socketFrame('d1', 500, 0)).toBeNull(); // 2000 bytes of burst: 1500 + 500
    expect(flood.socketFrame('d1', 1, 0)).toMatch(/bytes/);
    expect(flood.socketFrame('d1', 500, 500)).toBeNull(); // half a second: 500 bytes back
    expect(flood.socketFrame('d2', 1, 0)).toBeNull();
    for (let i = 0; i < 7; i++) flood.socketFrame('d2', 1, 0);
    expect(flood.socketFrame('d2', 1, 0)).toMatch(/^More than 4 frames a second/);
  });

  it('answers 429 chat_rate_limited with the seconds to wait (sent as Retry-After)', () => {
    const flood = new ChatFlood(config);
    flood.require('claims', 'd', 0);
    flood.require('claims', 'd', 0);
    let err: unknown;
    try {
      flood.require('claims', 'd', 0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'chat_rate_limited', status: 429, details: { retryAfterSeconds: 1 } });
  });

  it('limits the heavy device routes: commits and group registrations draw on the frames bucket, claims on theirs', () => {
    const kind = (route: 'register' | 'commit' | 'claim') =>
      new Reflector().get<string | undefined>(
        'pakawaaz:chat-flood',
        Object.getOwnPropertyDescriptor(ChatController.prototype, route)!.value as () => unknown,
      );
    expect(kind('register')).toBe('frames');
    expect(kind('commit')).toBe('frames');
    expect(kind('claim')).toBe('claims');
  });
});
