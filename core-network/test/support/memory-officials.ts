import type { OfficialDirectory, OfficialRecord } from '../../src/subscribers/official-directory.port.js';

/** Identity's OfficialDirectory as core-network's tests need it: people added by hand, looked up like identity does. */
export class MemoryOfficialDirectory implements OfficialDirectory {
  private readonly people = new Map<string, OfficialRecord>();

  add(p: Partial<OfficialRecord> & { userId: string; username: string }): OfficialRecord {
    const record: OfficialRecord = {
      displayName: p.username,
      kind: 'official',
      status: 'active',
      institutionId: null,
      institutionName: null,
      ...p,
    };
    this.people.set(record.userId, record);
    return record;
  }

  find(ref: string): Promise<OfficialRecord | null> {
    const byUsername = [...this.people.values()].find((p) => p.username === ref.toLowerCase());
    return Promise.resolve(this.people.get(ref) ?? byUsername ?? null);
  }

  byIds(ids: readonly string[]): Promise<Map<string, OfficialRecord>> {
    return Promise.resolve(
      new Map(ids.flatMap((id) => (this.people.has(id) ? [[id, this.people.get(id)!] as const] : []))),
    );
  }
}
