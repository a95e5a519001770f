import { describe, expect, it } from 'vitest';
import { chunkRoom, parseContentLength, parseRange, parseUploadOffset } from './files-rules.js';

describe('parseRange (RFC 9110 §14.1.2, its examples on a 10,000-byte representation)', () => {
  const size = 10_000;
  it('reads the RFC examples', () => {
    expect(parseRange('bytes=0-499', size)).toEqual({ kind: 'partial', range: { start: 0, end: 499 } });
    expect(parseRange('bytes=500-999', size)).toEqual({ kind: 'partial', range: { start: 500, end: 999 } });
    expect(parseRange('bytes=-500', size)).toEqual({ kind: 'partial', range: { start: 9500, end: 9999 } });
    expect(parseRange('bytes=9500-', size)).toEqual({ kind: 'partial', range: { start: 9500, end: 9999 } });
  });

  it('clamps a last position past the end, and a suffix longer than the file', () => {
    expect(parseRange('bytes=9000-20000', size)).toEqual({
      kind: 'partial',
      range: { start: 9000, end: 9999 },
    });
    expect(parseRange('bytes=-20000', size)).toEqual({ kind: 'partial', range: { start: 0, end: 9999 } });
  });

  it('refuses ranges that name no byte', () => {
    expect(parseRange('bytes=10000-', size).kind).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', size).kind).toBe('unsatisfiable');
    expect(parseRange('bytes=600-500', size).kind).toBe('unsatisfiable');
  });

  it('answers several ranges, other units and garbage with the whole file (§14.2 allows ignoring Range)', () => {
    expect(parseRange(undefined, size).kind).toBe('whole');
    expect(parseRange('bytes=0-1,5-6', size).kind).toBe('whole');
    expect(parseRange('items=0-1', size).kind).toBe('whole');
    expect(parseRange('bytes=-', size).kind).toBe('whole');
  });
});

describe('Upload-Offset and Content-Length', () => {
  it('takes decimal integers only', () => {
    expect(parseUploadOffset('0')).toBe(0);
    expect(parseUploadOffset('1048576')).toBe(1048576);
    for (const bad of [undefined, '', '-1', '1e3', '0x10', '1.5', '99999999999999999']) {
      expect(parseUploadOffset(bad)).toBeNull();
    }
    expect(parseContentLength(undefined)).toBeNull();
    expect(parseContentLength('12')).toBe(12);
    expect(parseContentLength('twelve')).toBeNaN();
  });
});

describe('chunkRoom', () => {
  const base = { offset: 100, size: 1000, chunkMaxBytes: 256 };
  it('allows up to the chunk cap and never past the declared size', () => {
    expect(chunkRoom({ ...base, declared: 256 })).toEqual({ ok: true, maxBytes: 256 });
    expect(chunkRoom({ ...base, offset: 900, declared: null })).toEqual({ ok: true, maxBytes: 100 });
    expect(chunkRoom({ ...base, declared: 257 })).toEqual({ ok: false, why: 'chunk_too_large' });
    expect(chunkRoom({ ...base, offset: 900, declared: 101 })).toEqual({ ok: false, why: 'beyond_size' });
  });
});
