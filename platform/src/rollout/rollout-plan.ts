/**
 * The national rollout as data (pure). Institutions move through ordered phases; every capability (a
 * feature officials use: SIM sign-in, device enrolment, …) has the first phase in which it is enabled, and
 * an institution's officials get every capability whose first phase is its phase or an earlier one. Moving
 * an institution on only ever adds capabilities; moving it back takes them away again (decision 0013).
 *
 * Capabilities are registered by the domains that own them, like roles: at type level by augmenting
 * `CapabilityRegistry` (`declare module '@pakawaaz/platform' { interface CapabilityRegistry { chat: true } }`)
 * and at run time in their `DomainDescriptor.auth.capabilities` (description and default first phase).
 */

/** The phases in order: a pilot, then the federal ministries, then every institution. */
export const ROLLOUT_PHASES = ['pilot', 'federal-ministries', 'nationwide'] as const;
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];

/** Capability name → true. Empty in the kernel: every capability belongs to a domain. */
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions, @typescript-eslint/no-empty-object-type
export interface CapabilityRegistry {}
export type Capability = Extract<keyof CapabilityRegistry, string>;

export type CapabilityDefinition = {
  /** One line for the NOC and the plan (`GET /api/v1/rollout`). */
  readonly description: string;
  /** The first phase whose institutions get it, unless PAKAWAAZ_ROLLOUT_PLAN says otherwise. */
  readonly firstPhase: RolloutPhase;
};

export type RegisteredCapability = CapabilityDefinition & { readonly name: string; readonly domain: string };

/** One phase of the plan: what it enables for the first time, and everything its institutions get. */
export type PlanPhase = {
  readonly phase: RolloutPhase;
  readonly introduces: readonly string[];
  readonly enables: readonly string[];
};

/** The plan: each capability's first phase, after the operator's overrides. */
export type RolloutPlan = {
  readonly capabilities: readonly (RegisteredCapability & { readonly overridden: boolean })[];
  readonly phases: readonly PlanPhase[];
};

export const phaseIndex = (phase: RolloutPhase): number => ROLLOUT_PHASES.indexOf(phase);

export const isRolloutPhase = (v: string): v is RolloutPhase =>
  (ROLLOUT_PHASES as readonly string[]).includes(v);

/** The phase after this one, or null for the last. */
export function nextPhase(phase: RolloutPhase): RolloutPhase | null {
  return ROLLOUT_PHASES[phaseIndex(phase) + 1] ?? null;
}

/**
 * Builds the plan from the registered capabilities and the operator's overrides (capability → first
 * phase). An override naming no registered capability is a configuration error, reported by name.
 */
export function buildRolloutPlan(
  registered: readonly RegisteredCapability[],
  overrides: Readonly<Record<string, RolloutPhase>> = {},
): RolloutPlan {
  const unknown = Object.keys(overrides).filter((name) => !registered.some((c) => c.name === name));
  if (unknown.length > 0)
    throw new Error(
      `PAKAWAAZ_ROLLOUT_PLAN names unknown capabilities ${unknown.join(', ')}; known: ${registered.map((c) => c.name).join(', ')}`,
    );
  const capabilities = registered.map((c) => {
    const override = overrides[c.name];
    return { ...c, firstPhase: override ?? c.firstPhase, overridden: override !== undefined };
  });
  const phases = ROLLOUT_PHASES.map((phase) => ({
    phase,
    introduces: capabilities.filter((c) => c.firstPhase === phase).map((c) => c.name),
    enables: capabilities.filter((c) => phaseIndex(c.firstPhase) <= phaseIndex(phase)).map((c) => c.name),
  }));
  return { capabilities, phases };
}

/** Whether institutions in `phase` get `capability` (an unregistered capability is never enabled). */
export function phaseEnables(plan: RolloutPlan, phase: RolloutPhase, capability: string): boolean {
  const c = plan.capabilities.find((x) => x.name === capability);
  return c !== undefined && phaseIndex(c.firstPhase) <= phaseIndex(phase);
}

/** The first phase of a capability in this plan, or null when no domain registered it. */
export function firstPhaseOf(plan: RolloutPlan, capability: string): RolloutPhase | null {
  return plan.capabilities.find((x) => x.name === capability)?.firstPhase ?? null;
}

/**
 * PAKAWAAZ_ROLLOUT_PLAN: `capability=phase` pairs separated by commas (`chat=pilot,calls=federal-ministries`).
 * Returns the overrides, or the problem in words.
 */
export function parseRolloutOverrides(text: string): Record<string, RolloutPhase> | string {
  // No prototype: a capability named `constructor` or `toString` is just a name (then unknown, and said so).
  const overrides: Record<string, RolloutPhase> = Object.create(null) as Record<string, RolloutPhase>;
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name = '', phase = '', ...rest] = part.split('=').map((s) => s.trim());
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(name) || !part.includes('=') || rest.length > 0)
      return `"${part}" is not capability=phase`;
    if (!isRolloutPhase(phase)) return `"${phase}" is not a phase (${ROLLOUT_PHASES.join(', ')})`;
    if (Object.hasOwn(overrides, name)) return `capability ${name} is given twice`;
    overrides[name] = phase;
  }
  return overrides;
}
