/**
 * Directory visibility (pure): which institutions' officials a member of `viewer` may look up. Always their
 * own institution; `hierarchy` adds the parent ministry, its other departments and their own departments;
 * `all` is everyone; explicit grants add to any scope.
 */
export type InstitutionNode = {
  readonly id: string;
  readonly parentId: string | null;
  readonly directoryScope: 'own' | 'hierarchy' | 'all';
};
export type VisibilityGrant = { readonly institutionId: string; readonly visibleId: string };

/** `'all'` or the ids visible from `viewerId` (empty when the viewer is unknown). */
export function visibleInstitutions(
  viewerId: string,
  nodes: readonly InstitutionNode[],
  grants: readonly VisibilityGrant[],
): 'all' | Set<string> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const viewer = byId.get(viewerId);
  if (!viewer) return new Set();
  if (viewer.directoryScope === 'all') return 'all';
  const visible = new Set([viewer.id]);
  if (viewer.directoryScope === 'hierarchy') {
    const root = viewer.parentId && byId.has(viewer.parentId) ? viewer.parentId : viewer.id;
    visible.add(root);
    for (const n of nodes) if (n.parentId === root || n.parentId === viewer.id) visible.add(n.id);
  }
  for (const g of grants)
    if (g.institutionId === viewer.id && byId.has(g.visibleId)) visible.add(g.visibleId);
  return visible;
}

/**
 * Whom an official of `viewerId` may see, for every target at once (the shape a query filters on): `everyone`
 * for a viewer of no institution (national: officials of no institution too), `any-institution` for scope
 * `all` (no official of no institution), else these institutions — always the viewer's own.
 */
export type SeenOfficials =
  | { readonly kind: 'everyone' }
  | { readonly kind: 'any-institution' }
  | { readonly kind: 'institutions'; readonly ids: readonly string[] };

export function seenOfficials(
  viewerId: string | null,
  nodes: readonly InstitutionNode[],
  grants: readonly VisibilityGrant[],
): SeenOfficials {
  if (viewerId === null) return { kind: 'everyone' };
  const visible = visibleInstitutions(viewerId, nodes, grants);
  if (visible === 'all') return { kind: 'any-institution' };
  return { kind: 'institutions', ids: [...new Set([viewerId, ...visible])] };
}

/** Whether `seen` includes an official of `targetId` (null: of no institution). */
export function sees(seen: SeenOfficials, targetId: string | null): boolean {
  if (seen.kind === 'everyone') return true;
  if (targetId === null) return false;
  return seen.kind === 'any-institution' || seen.ids.includes(targetId);
}

/** A department's parent must be a ministry, and an institution cannot be its own ancestor. */
export function parentProblem(
  id: string | null,
  parentId: string | null,
  nodes: readonly (InstitutionNode & { readonly kind: 'ministry' | 'department' })[],
): string | null {
  if (parentId === null) return null;
  const parent = nodes.find((n) => n.id === parentId);
  if (!parent) return 'parent institution not found';
  if (parent.kind !== 'ministry') return 'a department is attached to a ministry, not to another department';
  if (id !== null && parentId === id) return 'an institution cannot be its own parent';
  return null;
}
