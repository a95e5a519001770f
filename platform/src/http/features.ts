/**
 * Optional features a domain may find unavailable at run time (calls without a media host…), as `/healthz`
 * reports them: the process is alive and everything else works, but an operator must see at once what is off
 * and why. Domains set their feature's state; the board keeps the latest per name.
 */
export type FeatureState = { state: 'enabled' | 'disabled'; detail: string | null };

export class FeatureBoard {
  private readonly states = new Map<string, FeatureState>();

  set(feature: string, state: FeatureState): void {
    this.states.set(feature, state);
  }

  all(): Record<string, FeatureState> {
    return Object.fromEntries([...this.states].sort(([a], [b]) => a.localeCompare(b)));
  }
}
