import { z } from 'zod';
import { registerCapability } from '../rollout/capabilities.js';
import type { Capability, CapabilityDefinition } from '../rollout/rollout-plan.js';

/**
 * The kernel's registry of what domains bring to authorization: roles (with their scope), authentication
 * methods (RFC 8176 amr values) and actor kinds. The kernel itself names only what kernel features need
 * (`super-admin`, `security-officer`, `viewer`; the `system` actor); every other name is registered by the
 * domain that owns it, twice:
 *
 * - at type level, by augmenting the registries below (`declare module '@pakawaaz/platform' { interface
 *   RoleRegistry { 'sim-operator': 'national' } }`), so `@Roles('sim-operator')` type-checks wherever that
 *   domain is visible and nowhere else (a lower floor cannot name a higher floor's role);
 * - at run time, in its `DomainDescriptor.auth`, which the composition root hands to `registerDomains` —
 *   the metadata (description, scope, passkey) identity, the NOC and the OpenAPI document read.
 *
 * The registries are `interface`s on purpose: declaration merging across modules works only for interfaces,
 * and it is what lets a domain extend the kernel's `Role` union without the kernel importing it.
 */

/**
 * Role name → where the role may be held: `national` (operators without an institution only: it acts on
 * national infrastructure) or `institution` (an operator of an institution may hold it, acting on that
 * institution's rows only).
 */
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions
export interface RoleRegistry {
  /** Satisfies every role check; manages operators, roles, institutions and API tokens. */
  'super-admin': 'national';
  /** Security across the domains: keys, exports, barring, officials, the audit chain. */
  'security-officer': 'national';
  /** Read-only access; inside an institution, to that institution's rows. */
  viewer: 'institution';
}

/**
 * RFC 8176 authentication method → what it is. The kernel holds the standard values tokens carry; a domain
 * may add its own (declaration merging, like roles).
 */
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions
export interface AmrRegistry {
  pwd: true;
  otp: true;
  hwk: true;
  swk: true;
  sim: true;
  mfa: true;
  pop: true;
}

/**
 * Who can act, as the kernel's Principal models it: people who sign in (operators, officials), automation
 * tokens, and Pakawaaz itself. Domains add their own (device management will add devices).
 */
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions
export interface ActorKindRegistry {
  system: true;
  operator: true;
  official: true;
  'api-token': true;
}

export type Role = Extract<keyof RoleRegistry, string>;
export type Amr = Extract<keyof AmrRegistry, string>;
export type ActorKind = Extract<keyof ActorKindRegistry, string>;
export type RoleScope = 'national' | 'institution';

export type RoleDefinition<S extends RoleScope = RoleScope> = {
  /** One line for the NOC's role picker and the OpenAPI document. */
  readonly description: string;
  readonly scope: S;
  /** The role is exercised only in sessions signed in with a passkey (when passkeys are enforced). */
  readonly passkey?: boolean;
};

/** What a domain registers; each role's `scope` must match the one its type-level registration declares. */
export type DomainAuth = {
  readonly roles?: { readonly [R in Role]?: RoleDefinition<RoleRegistry[R]> };
  readonly amr?: { readonly [A in Amr]?: string };
  readonly actorKinds?: { readonly [K in ActorKind]?: string };
  /** The capabilities it gates with the kernel's `RolloutGate` (rollout-plan.ts), with their first phase. */
  readonly capabilities?: { readonly [C in Capability]?: CapabilityDefinition };
};

export type RegisteredRole = RoleDefinition & { readonly name: Role; readonly domain: string };

/** The kernel's own registrations (the platform "domain"). */
export const KERNEL_AUTH = {
  roles: {
    'super-admin': {
      description: 'everything, including operators, roles, institutions and API tokens',
      scope: 'national',
      passkey: true,
    },
    'security-officer': {
      description: 'officials, password resets, lock-outs, sessions, keys, exports and the audit chain',
      scope: 'national',
      passkey: true,
    },
    viewer: { description: 'read-only access (inside an institution: its own rows)', scope: 'institution' },
  },
  // RFC 8176 authentication method reference values (the standard's registry, as tokens carry them).
  amr: {
    pwd: 'password',
    otp: 'one-time password (TOTP or a recovery code)',
    hwk: 'proof of possession of a hardware-secured key (passkey, attested device key)',
    swk: 'proof of possession of a software-secured key',
    sim: 'SIM (EAP-AKA / EAP-AKA′)',
    mfa: 'multiple factors',
    pop: 'proof of possession of a key',
  },
  actorKinds: {
    system: 'Pakawaaz itself (start-up, reconcilers, event handlers)',
    operator: 'a NOC operator (access token)',
    official: 'an official (access token, usually from a handset)',
    'api-token': 'an automation token (pkz_…)',
  },
} as const satisfies DomainAuth;

const roles = new Map<string, RegisteredRole>();
const amrValues = new Map<string, string>();
const actorKinds = new Map<string, string>();

/**
 * Registers the roles, amr values and actor kinds of the composed domains. Called once by the composition
 * root with every domain (not only those a node serves: tokens are valid across the cluster). Registering the
 * same thing again is harmless; a role claimed by two domains, or redefined, is a programming error.
 */
export function registerDomains(domains: readonly { name: string; auth?: DomainAuth }[]): void {
  for (const { name: domain, auth } of domains) {
    for (const [name, definition] of Object.entries(auth?.roles ?? {}) as [Role, RoleDefinition][]) {
      const known = roles.get(name);
      if (known && (known.domain !== domain || known.scope !== definition.scope))
        throw new Error(`role "${name}" is registered by both ${known.domain} and ${domain}`);
      roles.set(name, Object.freeze({ ...definition, name, domain }));
    }
    // amr values and actor kinds may be produced by several domains (a hardware key, a device).
    for (const [value, text] of Object.entries(auth?.amr ?? {})) amrValues.set(value, String(text));
    for (const [kind, text] of Object.entries(auth?.actorKinds ?? {})) actorKinds.set(kind, String(text));
    for (const [name, definition] of Object.entries<CapabilityDefinition | undefined>(
      auth?.capabilities ?? {},
    ))
      if (definition) registerCapability(domain, name, definition);
  }
}

export const isRole = (v: string): v is Role => roles.has(v);
export const isAmr = (v: string): v is Amr => amrValues.has(v);
export const isActorKind = (v: string): v is ActorKind => actorKinds.has(v);

/** Registered roles in registration order (kernel first, then the domains along the floors). */
export function registeredRoles(): readonly RegisteredRole[] {
  return [...roles.values()];
}

export function roleNames(): Role[] {
  return [...roles.keys()] as Role[];
}

/** The registered definition; undefined for a name no domain registered (e.g. in an old token). */
export function roleDefinition(role: string): RegisteredRole | undefined {
  return roles.get(role);
}

export function registeredAmr(): Readonly<Record<string, string>> {
  return Object.fromEntries(amrValues);
}

export function registeredActorKinds(): Readonly<Record<string, string>> {
  return Object.fromEntries(actorKinds);
}

/** Roles an account may hold where it sits: all of them nationally, the `institution` ones inside one. */
export function rolesAllowedIn<R extends string>(held: readonly R[], institutionId: string | null): R[] {
  return institutionId === null ? [...held] : held.filter((r) => roles.get(r)?.scope === 'institution');
}

/**
 * A role name, validated against the registry when a request is parsed and documented as an enum of the
 * registered roles when the OpenAPI document is rendered — both after the composition root registered the
 * domains (DTO modules are loaded before that, so the enum cannot be computed when they are).
 */
export const roleSchema = () =>
  z.lazy(() => {
    const names = roleNames();
    if (names.length === 0)
      throw new Error('no roles are registered: the composition root calls registerDomains() first');
    return z.enum(names as [Role, ...Role[]]);
  });
