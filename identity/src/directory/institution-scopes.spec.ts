import { NATIONAL_SCOPE, scopeIds } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { descendantsOf, InstitutionScopes, type InstitutionNode } from './institution-scopes.js';

const node = (id: string, parentId: string | null): InstitutionNode => ({
  id,
  parentId,
  name: `Ministry of ${id}`,
  rolloutPhase: id === 'interior' ? 'federal-ministries' : 'pilot',
});
const TREE: InstitutionNode[] = [
  node('interior', null),
  node('passports', 'interior'),
  node('police', 'interior'),
  node('finance', null),
  node('customs', 'finance'),
];

describe('descendantsOf', () => {
  it('is the institution and everything below it', () => {
    expect(descendantsOf('interior', TREE)).toEqual(['interior', 'passports', 'police']);
    expect(descendantsOf('passports', TREE)).toEqual(['passports']);
    expect(descendantsOf('unknown', TREE)).toEqual(['unknown']);
  });

  it('goes deeper than one level and survives a cycle in bad data', () => {
    const deep = [...TREE, { id: 'visas', parentId: 'passports' }];
    expect(descendantsOf('interior', deep)).toEqual(['interior', 'passports', 'police', 'visas']);
    const cycle = [
      { id: 'a', parentId: 'b' },
      { id: 'b', parentId: 'a' },
    ];
    expect(descendantsOf('a', cycle)).toEqual(['a', 'b']);
  });
});

describe('InstitutionScopes', () => {
  function cache(ttlMs = 30_000) {
    let nodes = TREE;
    let loads = 0;
    let gate: Promise<void> | null = null;
    const scopes = new InstitutionScopes({
      ttlMs,
      load: async () => {
        loads++;
        const snapshot = nodes; // what the query reads when it starts
        await gate;
        return snapshot;
      },
    });
    return {
      scopes,
      loads: () => loads,
      setTree: (next: InstitutionNode[]) => (nodes = next),
      /** Loads wait until the returned function is called. */
      hold: () => {
        let open = () => {};
        gate = new Promise<void>((resolve) => (open = resolve));
        return () => {
          gate = null;
          open();
        };
      },
    };
  }

  it('gives national principals the national scope without reading the tree', async () => {
    const c = cache();
    expect(await c.scopes.scopeOf(null, 0)).toBe(NATIONAL_SCOPE);
    expect(c.loads()).toBe(0);
  });

  it('gives an institution its descendants, from memory until the TTL passes', async () => {
    const c = cache(1_000);
    expect(scopeIds({ scope: await c.scopes.scopeOf('interior', 0) })).toEqual([
      'interior',
      'passports',
      'police',
    ]);
    // From memory the answer is synchronous: no promise on the request path.
    const again = c.scopes.scopeOf('interior', 900);
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toBe(c.scopes.scopeOf('interior', 1_000));
    expect(c.loads()).toBe(1);
    await c.scopes.scopeOf('interior', 1_001);
    expect(c.loads()).toBe(2);
  });

  it('re-reads the tree after invalidate(): a department moved to another ministry leaves the old scope', async () => {
    const c = cache();
    expect(scopeIds({ scope: await c.scopes.scopeOf('interior', 0) })).toContain('police');
    c.setTree(TREE.map((n) => (n.id === 'police' ? { ...n, parentId: 'finance' } : n)));
    expect(scopeIds({ scope: await c.scopes.scopeOf('interior', 1) })).toContain('police');
    c.scopes.invalidate();
    expect(scopeIds({ scope: await c.scopes.scopeOf('interior', 2) })).toEqual(['interior', 'passports']);
    expect(scopeIds({ scope: await c.scopes.scopeOf('finance', 3) })).toEqual([
      'finance',
      'police',
      'customs',
    ]);
  });

  it('limits an institution missing from the tree to itself (fail closed)', async () => {
    const c = cache();
    expect(scopeIds({ scope: await c.scopes.scopeOf('brand-new', 0) })).toEqual(['brand-new']);
  });

  it('reads once for many concurrent requests, and again when a change lands during the read', async () => {
    const c = cache();
    const release = c.hold();
    const pending = [c.scopes.scopeOf('interior', 0), c.scopes.scopeOf('finance', 0)];
    for (const p of pending) expect(p).toBeInstanceOf(Promise); // the tree has to be read first
    c.setTree(TREE.filter((n) => n.id !== 'police'));
    c.scopes.invalidate(); // the tree changes while it is being read
    release();
    const [interior] = await Promise.all(pending.map((p) => Promise.resolve(p)));
    expect(scopeIds({ scope: interior! })).toContain('police');
    expect(c.loads()).toBe(1);
    // What was read may predate the change: the next lookup reads again and sees it.
    expect(scopeIds({ scope: await c.scopes.scopeOf('interior', 1) })).toEqual(['interior', 'passports']);
    expect(c.loads()).toBe(2);
  });
});

describe('InstitutionScopes as the rollout gate phase source', () => {
  it('answers name and phase from the tree it loaded, and null for an unknown institution', async () => {
    let tree = TREE;
    const scopes = new InstitutionScopes({ load: () => Promise.resolve(tree) });
    expect(await scopes.phaseOf('interior', 1_000)).toEqual({
      name: 'Ministry of interior',
      phase: 'federal-ministries',
    });
    expect(scopes.phaseOf('customs', 1_001)).toEqual({ name: 'Ministry of customs', phase: 'pilot' });
    expect(scopes.phaseOf('nowhere', 1_002)).toBeNull();
    tree = TREE.map((n) => (n.id === 'customs' ? { ...n, rolloutPhase: 'nationwide' as const } : n));
    expect(scopes.phaseOf('customs', 1_003)).toEqual({ name: 'Ministry of customs', phase: 'pilot' });
    scopes.invalidate();
    expect(await scopes.phaseOf('customs', 1_004)).toEqual({
      name: 'Ministry of customs',
      phase: 'nationwide',
    });
  });
});
