import { Module } from '@nestjs/common';

/** Nest module of the hardened-os domain; features register their controllers and providers here as they land. */
@Module({})
export class HardenedOsModule {}
