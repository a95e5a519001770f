import { Injectable } from '@nestjs/common';
import { requireNational, requireRole, type Principal } from '@pakawaaz/platform';
import { NetworkSpecRepository } from '../network-spec/network-spec.repository.js';
import { previewProfile, runningSpec, type ProfilePreview } from './profile-checks.js';
import { SubscriberProfile } from './profile.js';
import { SubscribersRepository } from './subscribers.repository.js';

/** The first subscribers a preview names; the total says how many more. */
const SAMPLE = 20;

export type ProfilePreviewView = ProfilePreview & {
  subscribers: { total: number; sample: { imsi: string; displayName: string }[] };
};

/** What saving a profile would change, and for whom; stores nothing. */
@Injectable()
export class ProfilePreviewService {
  constructor(
    private readonly repo: SubscribersRepository,
    private readonly specs: NetworkSpecRepository,
  ) {}

  async preview(name: string, profile: unknown, by: Principal): Promise<ProfilePreviewView> {
    requireNational(by);
    requireRole(by, 'network-admin');
    const [row, specRow, users] = await Promise.all([
      this.repo.profile(name),
      this.specs.current(),
      this.repo.list({ profile: name, limit: SAMPLE, offset: 0 }, by),
    ]);
    const saved = row ? SubscriberProfile.safeParse(row.profile) : null;
    const result = previewProfile(
      name,
      profile,
      saved?.success ? saved.data : null,
      runningSpec(specRow?.spec),
    );
    const sample = users.rows.map((s) => ({ imsi: s.imsi, displayName: s.displayName }));
    return { ...result, subscribers: { total: users.total, sample } };
  }
}
