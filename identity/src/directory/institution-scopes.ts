import {
  institutionScope,
  NATIONAL_SCOPE,
  type InstitutionPhase,
  type InstitutionPhases,
  type PrincipalScope,
  type RolloutPhase,
} from '@pakawaaz/platform';

export type TreeNode = { readonly id: string; readonly parentId: string | null };
/** What the tree's load returns: the hierarchy, and the name and phase the rollout gate asks for. */
export type InstitutionNode = TreeNode & { readonly name: string; readonly rolloutPhase: RolloutPhase };

/** An institution and everything below it (a ministry's departments), breadth first; safe against cycles. */
export function descendantsOf(id: string, nodes: readonly TreeNode[]): string[] {
  const children = new Map<string, string[]>();
  for (const n of nodes)
    if (n.parentId !== null) children.set(n.parentId, [...(children.get(n.parentId) ?? []), n.id]);
  const seen = [id];
  for (let i = 0; i < seen.length; i++)
    for (const child of children.get(seen[i]!) ?? []) if (!seen.includes(child)) seen.push(child);
  return seen;
}

export type InstitutionScopesOptions = {
  load: () => Promise<readonly InstitutionNode[]>;
  /** Longest a node serves a tree another node changed, should the change event be lost. */
  ttlMs?: number;
};

/**
 * Per-node memory of the institution tree, so that turning a token's `inst` into a scope (own institution +
 * descendants) costs a map lookup on the request path, not a query. The tree is re-read when a change is
 * announced (this node's own changes at once, other nodes' over the event bus) and at least every `ttlMs`.
 * An institution not (yet) in the tree gets a scope of itself alone: never more than it may see.
 * It also answers the kernel's rollout gate (`INSTITUTION_PHASES`): an institution's name and phase.
 */
export class InstitutionScopes implements InstitutionPhases {
  private scopes = new Map<string, PrincipalScope>();
  private phases = new Map<string, InstitutionPhase>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private generation = 0;
  private loading: Promise<void> | null = null;
  private readonly ttlMs: number;

  constructor(private readonly options: InstitutionScopesOptions) {
    this.ttlMs = options.ttlMs ?? 30_000;
  }

  /**
   * The scope of a principal of this institution (national for none). Synchronous while the tree is fresh —
   * the request path then pays a map lookup, not a promise — and a promise only when it must be re-read.
   */
  scopeOf(institutionId: string | null, now: number): PrincipalScope | Promise<PrincipalScope> {
    if (institutionId === null) return NATIONAL_SCOPE;
    if (now - this.loadedAt > this.ttlMs) return this.refresh(now).then(() => this.lookup(institutionId));
    return this.lookup(institutionId);
  }

  /** The institution's name and rollout phase (null: not in the tree, even after a re-read). */
  phaseOf(
    institutionId: string,
    now = Date.now(),
  ): InstitutionPhase | null | Promise<InstitutionPhase | null> {
    if (now - this.loadedAt > this.ttlMs)
      return this.refresh(now).then(() => this.phases.get(institutionId) ?? null);
    return this.phases.get(institutionId) ?? null;
  }

  private lookup(institutionId: string): PrincipalScope {
    let scope = this.scopes.get(institutionId);
    if (!scope) {
      scope = institutionScope([institutionId]);
      this.scopes.set(institutionId, scope);
    }
    return scope;
  }

  /** The tree changed: the next lookup re-reads it (a load already under way does not count). */
  invalidate(): void {
    this.generation++;
    this.loadedAt = Number.NEGATIVE_INFINITY;
  }

  private refresh(now: number): Promise<void> {
    // One load at a time however many requests find the tree stale.
    this.loading ??= this.load(now).finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(now: number): Promise<void> {
    const generation = this.generation;
    const nodes = await this.options.load();
    const scopes = new Map<string, PrincipalScope>();
    for (const n of nodes) scopes.set(n.id, institutionScope(descendantsOf(n.id, nodes)));
    this.scopes = scopes;
    this.phases = new Map(nodes.map((n) => [n.id, { name: n.name, phase: n.rolloutPhase }]));
    // Changed while loading: what was read may predate the change, so read again next time.
    if (generation === this.generation) this.loadedAt = now;
  }
}

export const INSTITUTION_SCOPES = Symbol.for('pakawaaz.identity.InstitutionScopes');
