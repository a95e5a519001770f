import { describe, expect, it } from 'vitest';
import { entriesDigest, inDnOrder, resumeAt } from './sync-resume.js';

/*
 * A run taken over resumes after the entries committed before: that count means the same entries only if
 * every read lists them in the same order (LDAP promises no order) and the directory has not changed.
 */

const entry = (uid: string) => ({ dn: `uid=${uid},ou=People,dc=gov,dc=example`, attributes: { uid } });
const served = [entry('c'), entry('a'), entry('b')];

describe('the resume point of a directory sync', () => {
  it('orders the entries by DN, whatever order the server sent them in', () => {
    expect(inDnOrder(served).map((e) => e.attributes.uid)).toEqual(['a', 'b', 'c']);
    expect(inDnOrder([...served].reverse())).toEqual(inDnOrder(served));
    expect(served.map((e) => e.attributes.uid)).toEqual(['c', 'a', 'b']); // the read itself is left alone
  });

  it('digests the same directory read in another order alike, and another directory not', () => {
    const digest = entriesDigest(inDnOrder(served));
    expect(entriesDigest(inDnOrder([entry('b'), entry('c'), entry('a')]))).toBe(digest);
    expect(entriesDigest(inDnOrder([...served, entry('d')]))).not.toBe(digest);
    expect(entriesDigest(inDnOrder(served.slice(1)))).not.toBe(digest);
  });

  it('resumes after the committed entries only while the directory is the one the job began with', () => {
    const digest = entriesDigest(inDnOrder(served));
    expect(resumeAt({ committedLines: 0, sourceSha256: '' }, 3, digest)).toBe(0);
    expect(resumeAt({ committedLines: 2, sourceSha256: digest }, 3, digest)).toBe(2);
    expect(resumeAt({ committedLines: 5, sourceSha256: digest }, 3, digest)).toBe(3);
    expect(resumeAt({ committedLines: 2, sourceSha256: 'another' }, 3, digest)).toBe('changed');
  });
});
