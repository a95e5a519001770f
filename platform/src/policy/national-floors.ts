/**
 * The national policy is a floor (pure): an institution's policy may be stricter than the national one, never
 * weaker, and what is in force is the institution's raised to the national floors — so a national policy
 * tightened after an institution stored its own binds at once. Each domain lists its floors: a floor names
 * the setting it guards, says whether an institution's value is weaker than the national one, and gives the
 * stricter of the two.
 */
export type NationalFloor<S> = {
  readonly field: string;
  weaker(own: S, national: S): boolean;
  stricter(own: S, national: S): Partial<S>;
};

/** The settings of an institution's policy that are weaker than the national policy's (empty: none). */
export function weakerThanFloors<S>(floors: readonly NationalFloor<S>[], own: S, national: S): string[] {
  return floors.filter((f) => f.weaker(own, national)).map((f) => f.field);
}

/** An institution's policy raised to the national floors wherever the national policy is stricter. */
export function raisedToFloors<S extends object>(
  floors: readonly NationalFloor<S>[],
  own: S,
  national: S,
): S {
  return floors.reduce<S>((s, f) => ({ ...s, ...f.stricter(s, national) }), own);
}

/** What `theirs` holds that `mine` does not, in `theirs`' order. */
export function missingFrom(mine: readonly string[], theirs: readonly string[]): string[] {
  return theirs.filter((p) => !mine.includes(p));
}
