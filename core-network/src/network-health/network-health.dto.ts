import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';
import { ALARM_KINDS } from './alarm-rules.js';
import { KPI_NAMES, NF_TYPES } from './open5gs-metrics.js';
import { NF_NAME_PATTERN } from './scrape-targets.js';

const RanNode = z.object({
  id: z.number().int(),
  plmn: z.string().nullable(),
  peer: z.string().nullable(),
  connectedUes: z.number().int().nullable(),
  setupSuccess: z.boolean().nullable(),
  tacs: z.array(z.string()),
});

export const NfStateSummaryDto = named(
  'NfStateSummary',
  z.object({
    fetchedAt: isoDateTime(),
    ranNodes: z.array(RanNode).nullable().describe('gNBs of an AMF, eNBs of an MME (Open5GS infoAPI)'),
    ues: z.object({ count: z.number().int(), connected: z.number().int(), complete: z.boolean() }).nullable(),
    pduSessions: z
      .object({
        ues: z.number().int(),
        sessions: z.number().int(),
        active: z.number().int(),
        complete: z.boolean(),
      })
      .nullable(),
    errors: z.array(z.string()).describe('State endpoints that failed; not an NF fault'),
  }),
);

export const NfHealthDto = named(
  'NfHealth',
  z.object({
    name: z.string(),
    nf: z.enum(NF_TYPES),
    simulated: z.boolean().describe('A lab simulator, not a real network function'),
    status: z.enum(['up', 'down', 'unknown']).describe('From the last scrape; alarms apply hysteresis'),
    lastScrapeAt: isoDateTime().nullable(),
    lastSuccessAt: isoDateTime().nullable(),
    lastError: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    scrapeDurationMs: z.number().nullable(),
    kpis: z.record(z.string(), z.number()).describe(`Latest KPIs by name (${KPI_NAMES.join(', ')})`),
    activeAlarms: z.array(z.enum(ALARM_KINDS)),
    state: NfStateSummaryDto.nullable(),
  }),
);

export const NetworkHealthDto = named(
  'NetworkHealth',
  z.object({
    monitoring: z.boolean(),
    intervalMs: z.number().int(),
    simulated: z.boolean().describe('True when any NF is simulated'),
    lastRoundAt: isoDateTime().nullable(),
    nfs: z.array(NfHealthDto),
  }),
);

export const KpiSampleDto = named(
  'KpiSample',
  z.object({ nf: z.string(), kpi: z.string(), value: z.number(), at: isoDateTime() }),
);
export const KpiHistoryDto = named('KpiHistory', z.object({ samples: z.array(KpiSampleDto) }));

export const NetworkAlarmDto = named(
  'NetworkAlarm',
  z.object({
    id: z.string(),
    kind: z.string().describe(`One of ${ALARM_KINDS.join(', ')}`),
    nf: z.string(),
    severity: z.enum(['critical', 'major', 'minor', 'warning']),
    state: z.enum(['open', 'cleared']),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
    raisedAt: isoDateTime(),
    clearedAt: isoDateTime().nullable(),
    acknowledgedBy: z.string().nullable(),
    acknowledgedAt: isoDateTime().nullable(),
  }),
);
export const NetworkAlarmListDto = named('NetworkAlarmList', z.object({ alarms: z.array(NetworkAlarmDto) }));

export const KpiHistoryQuery = z.object({
  nf: z.string().regex(NF_NAME_PATTERN).optional(),
  kpi: z.enum(KPI_NAMES).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(5_000).default(500),
});

export const AlarmListQuery = z.object({
  state: z.enum(['open', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
});
