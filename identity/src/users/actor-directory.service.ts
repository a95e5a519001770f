import { Injectable } from '@nestjs/common';
import { actorKey, type ActorDirectory, type ActorRef } from '@pakawaaz/platform';
import { ApiTokensRepository } from '../tokens/api-tokens.repository.js';
import { UsersRepository } from './users.repository.js';

/**
 * The platform's ACTOR_DIRECTORY port: the audit log names people ("Amina Qureshi (amina.qureshi)") and
 * API tokens, and its actor filter takes a username or a token name. Used only behind the audit routes,
 * which check the caller's roles first.
 */
@Injectable()
export class ActorDirectoryService implements ActorDirectory {
  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: ApiTokensRepository,
  ) {}

  async names(actors: readonly ActorRef[]): Promise<Map<string, string>> {
    const ids = (types: string[]) => [
      ...new Set(actors.filter((a) => types.includes(a.type)).map((a) => a.id)),
    ];
    const [people, tokens] = await Promise.all([
      this.users.findByIds(ids(['operator', 'official'])),
      this.tokens.findByIds(ids(['api-token'])),
    ]);
    const out = new Map<string, string>();
    for (const u of people)
      out.set(
        actorKey({ type: u.kind, id: u.id }),
        u.displayName && u.displayName !== u.username ? `${u.displayName} (${u.username})` : u.username,
      );
    for (const t of tokens) out.set(actorKey({ type: 'api-token', id: t.id }), `API token ${t.name}`);
    return out;
  }

  async find(name: string): Promise<ActorRef[]> {
    const [user, tokens] = await Promise.all([
      this.users.findByUsername(name.trim()),
      this.tokens.findByName(name.trim()),
    ]);
    return [
      ...(user ? [{ type: user.kind, id: user.id }] : []),
      ...tokens.map((t) => ({ type: 'api-token', id: t.id })),
    ];
  }
}
