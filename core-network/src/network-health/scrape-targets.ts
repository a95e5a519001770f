import { z } from 'zod';
import { networkHealthError } from './network-health.errors.js';
import { NF_TYPES } from './open5gs-metrics.js';

/** Target names key KPI history and alarms: short, stable, safe in URLs and logs. */
export const NF_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const MAX_SCRAPE_TARGETS = 200;

const httpUrl = () => z.url({ protocol: /^https?$/, normalize: true }).max(2048);

/**
 * One NF to monitor: its Prometheus endpoint (`http://<nf>:9090/metrics` on Open5GS) and, for the AMF, SMF
 * and MME, the base URL of its JSON infoAPI (the same server). `simulated` marks lab simulator targets so the
 * NOC labels them.
 */
export const ScrapeTargetSchema = z
  .object({
    nf: z.enum(NF_TYPES),
    name: z.string().regex(NF_NAME_PATTERN, 'lower-case letters, digits, ".", "_" or "-", at most 63'),
    metricsUrl: httpUrl(),
    stateUrl: httpUrl().optional(),
    simulated: z.boolean().optional(),
  })
  .strict();

export type ScrapeTarget = z.infer<typeof ScrapeTargetSchema>;

/** Validates a target list (unique names, bounded count); throws invalid_scrape_targets with the reasons. */
export function parseScrapeTargets(input: unknown): ScrapeTarget[] {
  const parsed = z.array(ScrapeTargetSchema).max(MAX_SCRAPE_TARGETS).safeParse(input);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((i) => `${i.path.join('.') || '(list)'}: ${i.message}`);
    throw networkHealthError('invalid_scrape_targets', `Invalid NF targets: ${reasons.join('; ')}`, reasons);
  }
  const seen = new Set<string>();
  for (const t of parsed.data) {
    if (seen.has(t.name))
      throw networkHealthError(
        'invalid_scrape_targets',
        `Invalid NF targets: the name "${t.name}" is used twice`,
      );
    seen.add(t.name);
  }
  return parsed.data;
}
