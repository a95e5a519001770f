import { Injectable } from '@nestjs/common';
import { InstitutionsRepository } from './institutions.repository.js';
import { sees, seenOfficials } from './visibility.js';

/** Domains above identity find it by this token (`ModuleRef.get(OFFICIAL_VISIBILITY, { strict: false })`). */
export const OFFICIAL_VISIBILITY = Symbol.for('pakawaaz.identity.OfficialVisibility');

/** The directory's visibility rule for other domains (secure chat: whom an official may message or add). */
export type OfficialVisibility = {
  /**
   * Whether an official of `viewerInstitutionId` may see officials of `targetInstitutionId`: the same rule as
   * directory search. A viewer of no institution is national and sees everyone; an official of no
   * institution is seen by national viewers only.
   */
  maySee(viewerInstitutionId: string | null, targetInstitutionId: string | null): Promise<boolean>;
};

@Injectable()
export class OfficialVisibilityService implements OfficialVisibility {
  constructor(private readonly institutions: InstitutionsRepository) {}

  async maySee(viewerInstitutionId: string | null, targetInstitutionId: string | null): Promise<boolean> {
    if (viewerInstitutionId === null) return true;
    if (targetInstitutionId === null) return false;
    if (viewerInstitutionId === targetInstitutionId) return true;
    const [all, grants] = await Promise.all([this.institutions.all(), this.institutions.grants()]);
    return sees(seenOfficials(viewerInstitutionId, all, grants), targetInstitutionId);
  }
}
