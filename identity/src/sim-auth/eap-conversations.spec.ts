import { describe, expect, it } from 'vitest';
import { EapConversations } from './eap-conversations.js';

describe('EapConversations', () => {
  it('hands a conversation back once, until put back', () => {
    const c = new EapConversations<string>(1000);
    const id = c.create('state-1', 0);
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(c.take(id, 10)).toBe('state-1');
    expect(c.take(id, 10)).toBeUndefined();
    c.put(id, 'state-2', 20);
    expect(c.take(id, 30)).toBe('state-2');
  });

  it('expires ttl after the last message', () => {
    const c = new EapConversations<string>(1000);
    const id = c.create('s', 0);
    expect(c.take(id, 1000)).toBeUndefined();
  });

  it('never holds more than maxEntries', () => {
    const c = new EapConversations<number>(60_000, 100);
    for (let i = 0; i < 10_000; i++) c.create(i, i);
    expect(c.size).toBe(100);
  });
});
