import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { OFFICIAL_DIRECTORY } from '@pakawaaz/identity';
import { requireRole, scopeIds, type Principal } from '@pakawaaz/platform';
import type { z } from 'zod';
import { callsError } from '../calls.errors.js';
import type { CallHistoryQuery, CallRecord } from './call-history.dto.js';
import { CallHistoryRepository } from './call-history.repository.js';

/** What the records read of identity's official directory (structural: core-network owns the port's type). */
type OfficialRecord = { userId: string; username: string; displayName: string };
type OfficialDirectory = {
  find(ref: string): Promise<OfficialRecord | null>;
  byIds(ids: string[]): Promise<Map<string, OfficialRecord>>;
};
type Row = Awaited<ReturnType<CallHistoryRepository['page']>>[number];

/**
 * Call records for operators: metadata only (who called whom, when, how it ended, for how long, on which
 * media host), never content. National operators see every call; an institution's operators the calls that
 * involve one of its officials (caller, callee or participant: `calls.institutions`).
 */
@Injectable()
export class CallHistoryService {
  private directory: OfficialDirectory | null | undefined;

  constructor(
    private readonly repo: CallHistoryRepository,
    private readonly moduleRef: ModuleRef,
  ) {}

  async history(q: z.output<typeof CallHistoryQuery>, by: Principal) {
    requireRole(by, 'media-admin', 'chat-admin', 'viewer');
    const userId = q.official ? await this.userIdOf(q.official) : undefined;
    // An unknown official has no calls: an empty page, not an error (which would tell an institution's
    // operator whether a username exists anywhere); a known one's calls are still only those in scope.
    if (userId === null) return { calls: [], nextBefore: null };
    const [at, id] = q.before ? q.before.split('_') : [];
    const rows = await this.repo.page({
      scope: scopeIds(by),
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      outcome: q.outcome,
      userId,
      institution: q.institution,
      before: at && id ? { startedAt: new Date(at), id } : undefined,
      limit: q.limit,
    });
    const names = await this.names(rows.flatMap((r) => [r.call.startedByUser, ...r.people]));
    const last = rows.length === q.limit ? rows[rows.length - 1] : undefined;
    return {
      calls: rows.map((r) => record(r, names)),
      nextBefore: last ? `${last.call.startedAt.toISOString()}_${last.call.id}` : null,
    };
  }

  private port(): OfficialDirectory | null {
    if (this.directory === undefined)
      try {
        this.directory = this.moduleRef.get<OfficialDirectory>(OFFICIAL_DIRECTORY, { strict: false });
      } catch {
        this.directory = null;
      }
    return this.directory;
  }

  private async userIdOf(ref: string): Promise<string | null> {
    const port = this.port();
    if (!port) throw callsError('invalid_call_input', 'The official filter needs the identity directory.');
    return (await port.find(ref))?.userId ?? null;
  }

  private async names(userIds: string[]): Promise<Map<string, OfficialRecord>> {
    if (userIds.length === 0) return new Map();
    return (
      (await this.port()
        ?.byIds([...new Set(userIds)])
        .catch(() => null)) ?? new Map()
    );
  }
}

function record(r: Row, names: Map<string, OfficialRecord>): CallRecord {
  const person = (userId: string) => {
    const n = names.get(userId);
    return { userId, username: n?.username ?? null, displayName: n?.displayName ?? null };
  };
  const c = r.call;
  return {
    callId: c.id,
    groupId: c.groupId,
    kind: c.kind,
    state: c.state,
    outcome: c.outcome,
    endReason: c.endReason,
    startedAt: c.startedAt.toISOString(),
    answeredAt: c.answeredAt?.toISOString() ?? null,
    endedAt: c.endedAt?.toISOString() ?? null,
    durationSeconds:
      c.answeredAt && c.endedAt ? Math.round((c.endedAt.getTime() - c.answeredAt.getTime()) / 1000) : null,
    participants: r.participants,
    rang: r.rang,
    mediaHost: r.host,
    caller: person(c.startedByUser),
    people: r.people.map(person),
    institutions: c.institutions,
  };
}
