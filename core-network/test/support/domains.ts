import { platformDomain, type DomainDescriptor } from '@pakawaaz/platform';
import { coreNetworkDomain } from '../../src/core-network.domain.js';

/** What core-network's medium tests migrate: its floor (platform) and itself, not the server's list. */
export const CORE_NETWORK_TEST_DOMAINS: readonly DomainDescriptor[] = [platformDomain, coreNetworkDomain];
