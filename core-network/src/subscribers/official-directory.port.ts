/** What core-network needs to know about the person a SIM is assigned to, as identity has it now. */
export type OfficialRecord = {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly kind: 'official' | 'operator';
  readonly status: 'active' | 'disabled';
  readonly institutionId: string | null;
  /** The institution's current name (null: national, or the institution is gone). */
  readonly institutionName: string | null;
};

/**
 * Port identity implements so that core-network assigns SIMs only to people who exist and are active, and
 * shows them by name. Identity answers from its own tables; core-network never reads them. (The official
 * facts core-network copies from identity's events follow officials who hold SIMs; an official created a
 * minute ago has had no event yet, so the copies cannot say whether someone exists.)
 */
export type OfficialDirectory = {
  /** The user named by this id or username (case-insensitive), or null. */
  find(ref: string): Promise<OfficialRecord | null>;
  /** The users with these ids (unknown ids are absent), for lists. */
  byIds(ids: readonly string[]): Promise<Map<string, OfficialRecord>>;
};

/**
 * Where identity binds its directory. Core-network is a lower floor and cannot inject identity's providers,
 * so it provides this (its module is global) and identity's implementation binds itself at construction,
 * like it injects SIM_OWNERSHIP.
 */
export type OfficialDirectoryBinding = { bind(directory: OfficialDirectory): void };

export const OFFICIAL_DIRECTORY_BINDING = Symbol.for('pakawaaz.core-network.OfficialDirectoryBinding');
