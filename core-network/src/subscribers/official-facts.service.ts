import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '@pakawaaz/platform';
import { OfficialFactsRepository, type OfficialFacts } from './official-facts.repository.js';

/**
 * Keeps the identity facts core-network copies onto subscribers (an official's name and institution) equal
 * to identity's, from identity's user events. Called by the bus, not by a principal: nothing to authorise.
 */
@Injectable()
export class OfficialFactsService {
  constructor(
    private readonly repo: OfficialFactsRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async follow(facts: OfficialFacts): Promise<string[]> {
    const imsis = await this.repo.apply(facts);
    if (imsis.length)
      this.logger.info(
        { userId: facts.userId, subscribers: imsis.length },
        "subscribers updated to follow the official's identity facts",
      );
    return imsis;
  }
}
