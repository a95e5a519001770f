import { describe, expect, it } from 'vitest';
import { checkpointOrigin } from './apk-log.js';
import { noneMatch } from './catalogues.controller.js';

describe('noneMatch (RFC 9110 §13.1.2, weak comparison for GET)', () => {
  const etag = '"3f2a"';
  it('matches the same tag, one of a list, a weak spelling of it, and *', () => {
    expect(noneMatch('"3f2a"', etag)).toBe(true);
    expect(noneMatch('"aaaa", "3f2a"', etag)).toBe(true);
    expect(noneMatch('W/"3f2a"', etag)).toBe(true);
    expect(noneMatch(' * ', etag)).toBe(true);
  });
  it('does not match another tag, an unquoted one, or no header', () => {
    expect(noneMatch('"3f2b"', etag)).toBe(false);
    expect(noneMatch('3f2a', etag)).toBe(false);
    expect(noneMatch(undefined, etag)).toBe(false);
    expect(noneMatch('', etag)).toBe(false);
  });
});

describe('checkpointOrigin (C2SP tlog-checkpoint: the first line)', () => {
  it('is the note’s first line, empty for a note without one', () => {
    // The example checkpoint of the C2SP tlog-checkpoint specification.
    const note =
      'example.com/origin\n923748\nnND/nri/U0xuHUrYSy0HtMeal2vzD9V4k/BO79C+QeI=\n\n— example.com/origin Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n';
    expect(checkpointOrigin(note)).toBe('example.com/origin');
    expect(checkpointOrigin('no newline')).toBe('');
  });
});
