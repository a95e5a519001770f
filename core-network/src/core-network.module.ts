import { Module } from '@nestjs/common';

/** Nest module of the core-network domain; features register their controllers and providers here as they land. */
@Module({})
export class CoreNetworkModule {}
