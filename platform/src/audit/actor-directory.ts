/**
 * Port: who an audit actor is, for people reading the log. Declared by the platform (whose audit log knows
 * actors only as type and id), implemented by identity (users and API tokens), found at run time; without
 * it the log shows ids only.
 */
export type ActorRef = { type: string; id: string };

export type ActorDirectory = {
  /** Display names by `type:id` ("Amina Qureshi (amina.qureshi)", "API token provisioning"); unknown ones left out. */
  names(actors: readonly ActorRef[]): Promise<Map<string, string>>;
  /** The actors a person would call by this name: a username (exact, any case) or an API token's name. */
  find(name: string): Promise<ActorRef[]>;
};

export const ACTOR_DIRECTORY = Symbol.for('pakawaaz.ActorDirectory');

export const actorKey = (a: ActorRef): string => `${a.type}:${a.id}`;
