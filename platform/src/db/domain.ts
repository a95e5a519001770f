import type { DomainEvents } from '../events/event-contract.js';
import type { DomainAuth } from '../auth/registry.js';

/**
 * What the platform needs to know about a domain: its Postgres schema and migrations, and the roles, amr
 * values and actor kinds it registers with the kernel (`registerDomains`), and the events it publishes and
 * consumes.
 */
export type DomainDescriptor = {
  /** Domain (workspace) name, e.g. `identity`. */
  readonly name: string;
  /** The Postgres schema the domain owns; no other domain reads or writes its tables. */
  readonly pgSchema: string;
  /** Absolute path of the drizzle-kit migrations folder. */
  readonly migrationsFolder: string;
  /** `active` domains serve features; `planned` ones exist as a module and schema only, so far. */
  readonly status: 'active' | 'planned';
  /** The events it publishes (with their schemas) and consumes: the kernel's event registry. */
  readonly events?: DomainEvents;
  readonly auth?: DomainAuth;
};
