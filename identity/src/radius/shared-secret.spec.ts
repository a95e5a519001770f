import { describe, expect, it } from 'vitest';
import { GENERATED_SECRET_LENGTH, generateSharedSecret } from './shared-secret.js';

describe('generateSharedSecret', () => {
  it('is 32 letters and digits: nothing a NAS console, a config file or a command line reads specially', () => {
    const secrets = Array.from({ length: 2000 }, generateSharedSecret);
    for (const s of secrets) expect(s).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(GENERATED_SECRET_LENGTH).toBe(32);
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('draws every character of the alphabet, none favoured', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++)
      for (const c of generateSharedSecret()) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // 64,000 draws over 62 symbols: about 1,032 each; a bias of a few symbols (modulo 64 → 62) shows as ±2×.
    for (const n of counts.values()) expect(n).toBeGreaterThan(850);
    for (const n of counts.values()) expect(n).toBeLessThan(1250);
  });
});
