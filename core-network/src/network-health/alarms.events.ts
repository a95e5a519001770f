import { defineEvent } from '@pakawaaz/platform';
import { z } from 'zod';
import { ALARM_KINDS } from './alarm-rules.js';
import { NF_TYPES } from './open5gs-metrics.js';

const AlarmFacts = {
  alarmId: z.uuid(),
  kind: z.enum(ALARM_KINDS),
  /** The monitored NF's name; `nfType` its kind. */
  nf: z.string().min(1).max(100),
  nfType: z.enum(NF_TYPES),
  simulated: z.boolean(),
  message: z.string().max(1_000),
  raisedAt: z.iso.datetime({ offset: true }),
};

export const AlarmRaised = defineEvent(
  'core-network.alarm.raised',
  z.object({
    ...AlarmFacts,
    severity: z.enum(['critical', 'major', 'minor', 'warning']),
    details: z.record(z.string().max(100), z.unknown()),
  }),
  {
    examples: [
      {
        alarmId: '5d6e7f80-1a2b-4c3d-9e4f-5a6b7c8d9e0f',
        kind: 'nf_down',
        nf: 'amf-1',
        nfType: 'amf',
        simulated: false,
        severity: 'critical',
        message: 'AMF amf-1 is not answering its metrics endpoint',
        details: { failures: 3, lastError: 'ECONNREFUSED' },
        raisedAt: '2026-03-02T09:15:00.000Z',
      },
    ],
  },
);

export const AlarmCleared = defineEvent(
  'core-network.alarm.cleared',
  z.object({ ...AlarmFacts, clearedAt: z.iso.datetime({ offset: true }) }),
  {
    examples: [
      {
        alarmId: '5d6e7f80-1a2b-4c3d-9e4f-5a6b7c8d9e0f',
        kind: 'nf_down',
        nf: 'amf-1',
        nfType: 'amf',
        simulated: false,
        message: 'AMF amf-1 answers again',
        raisedAt: '2026-03-02T09:15:00.000Z',
        clearedAt: '2026-03-02T09:18:30.000Z',
      },
    ],
  },
);

export type AlarmRaisedEvent = z.output<typeof AlarmRaised.schema>;
export type AlarmClearedEvent = z.output<typeof AlarmCleared.schema>;
