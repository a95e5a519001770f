import type { INestApplication } from '@nestjs/common';
import {
  NetworkHealthService,
  NetworkSpecService,
  targetsFromSpec,
  type CoreNetworkConfig,
} from '@pakawaaz/core-network';
import { startNfSimulator } from '@pakawaaz/open5gs-simulator';

/**
 * Starts the NF health monitor: on the NFs of the applied network spec (production), or on the
 * Open5GS NF simulator (the embedded demo; every target is flagged simulated and the NOC says so).
 * Returns what must be stopped at shutdown, after the application.
 */
export async function startNetworkMonitor(
  app: INestApplication,
  config: CoreNetworkConfig,
): Promise<() => Promise<void>> {
  if (config.monitor === 'off') return async () => {};
  const health = app.get(NetworkHealthService);
  if (config.monitor === 'simulated') {
    const simulator = await startNfSimulator({
      nfs: ['amf', 'smf', 'upf', 'mme'],
      host: '127.0.0.1',
      seed: 20261122,
    });
    health.start(simulator.targets);
    return () => simulator.close();
  }
  const current = await app
    .get(NetworkSpecService)
    .current()
    .catch(() => undefined);
  health.start(current ? targetsFromSpec(current.spec) : []);
  return async () => {};
}
