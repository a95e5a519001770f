/**
 * A bounded memo for what every chain of a device batch repeats: the intermediates and the root are the same
 * for thousands of handsets, only the leaf differs. Keys are SHA-256 hashes of the DER involved, so a hit is
 * the same bytes and the same answer; the oldest entry goes first when full.
 */
export class BoundedMemo<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly max = 1_024) {}

  get(key: string, make: () => V): V {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = make();
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
    return value;
  }
}

/** SHA-256 of the DER a certificate object was parsed from, set by the reader (no re-encoding to find it). */
export const derHashes = new WeakMap<object, string>();
