import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { INSTITUTION_PHASES, type InstitutionPhases } from '@pakawaaz/platform';

/**
 * Institution names, from the kernel's INSTITUTION_PHASES port that identity answers from its per-node memory
 * of the institution tree (looked up on first use, as the kernel's rollout gate does). Without identity on the
 * node, names are unknown (null) and an institution cannot be checked.
 */
@Injectable()
export class InstitutionNames {
  private port: InstitutionPhases | null | undefined;

  constructor(private readonly moduleRef: Pick<ModuleRef, 'get'>) {}

  private phases(): InstitutionPhases | null {
    if (this.port === undefined) {
      try {
        this.port = this.moduleRef.get<InstitutionPhases>(INSTITUTION_PHASES, { strict: false });
      } catch {
        this.port = null;
      }
    }
    return this.port;
  }

  /** The name of each institution (null when unknown). */
  async names(ids: readonly string[]): Promise<Map<string, string | null>> {
    const port = this.phases();
    const found = await Promise.all(
      [...new Set(ids)].map(
        async (id) => [id, port ? ((await port.phaseOf(id))?.name ?? null) : null] as const,
      ),
    );
    return new Map(found);
  }

  /** Whether the institution exists (true when identity does not answer here: the caller cannot tell). */
  async exists(id: string): Promise<boolean> {
    const port = this.phases();
    return port ? (await port.phaseOf(id)) !== null : true;
  }
}
