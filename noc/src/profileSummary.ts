import type { Schemas } from './api/client';

/** The subscriber profile as PUT takes it. GET returns the stored value as `unknown` (see readProfile). */
export type SubscriberProfile = Schemas['SaveProfile']['profile'];
type Bitrate = SubscriberProfile['ambr']['downlink'];

export type SessionSummary = {
  dnn: string;
  type: string;
  fiveQi: number;
  arpPriority: number;
  ambr: string;
};
export type SliceSummary = { sst: number; sd: string | null; isDefault: boolean; sessions: SessionSummary[] };
export type ProfileSummary = { ambr: string; slices: SliceSummary[] };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const num = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : fallback);

function bitrate(v: unknown): string {
  if (!isRecord(v) || typeof v.value !== 'number' || typeof v.unit !== 'string') return '?';
  return `${v.value} ${v.unit as Bitrate['unit']}`;
}

/** `↓ 1 Gbps / ↑ 500 Mbps` */
function ambr(v: unknown): string {
  if (!isRecord(v)) return '—';
  return `↓ ${bitrate(v.downlink)} / ↑ ${bitrate(v.uplink)}`;
}

/**
 * Reads a stored profile defensively (the list endpoint types it as `unknown`): the defaults the server fills
 * in (IPv4, 5QI 9, ARP 8) are applied here too, so an older row still reads sensibly. Null if unrecognisable.
 */
export function summariseProfile(profile: unknown): ProfileSummary | null {
  if (!isRecord(profile) || !Array.isArray(profile.slices)) return null;
  return {
    ambr: ambr(profile.ambr),
    slices: profile.slices.filter(isRecord).map((slice) => ({
      sst: num(slice.sst, 0),
      sd: typeof slice.sd === 'string' ? slice.sd.toLowerCase() : null,
      isDefault: slice.default === true,
      sessions: (Array.isArray(slice.sessions) ? slice.sessions : []).filter(isRecord).map((session) => {
        const qos = isRecord(session.qos) ? session.qos : {};
        const arp = isRecord(qos.arp) ? qos.arp : {};
        return {
          dnn: typeof session.dnn === 'string' ? session.dnn : '?',
          type: typeof session.type === 'string' ? session.type : 'IPv4',
          fiveQi: num(qos.index, 9),
          arpPriority: num(arp.priorityLevel, 8),
          ambr: ambr(session.ambr),
        };
      }),
    })),
  };
}

/** `SST 1 / SD 000001` */
export function sliceLabel(slice: { sst: number; sd: string | null }): string {
  return slice.sd ? `SST ${slice.sst} / SD ${slice.sd}` : `SST ${slice.sst}`;
}

/** A starting point for a new profile: the server's own default (one eMBB slice, DNN internet). */
export const PROFILE_TEMPLATE: SubscriberProfile = {
  ambr: { downlink: { value: 1, unit: 'Gbps' }, uplink: { value: 1, unit: 'Gbps' } },
  slices: [
    {
      sst: 1,
      default: true,
      sessions: [
        {
          dnn: 'internet',
          type: 'IPv4',
          qos: {
            index: 9,
            arp: { priorityLevel: 8, preEmptionCapability: 'disabled', preEmptionVulnerability: 'disabled' },
          },
          ambr: { downlink: { value: 1, unit: 'Gbps' }, uplink: { value: 1, unit: 'Gbps' } },
        },
      ],
    },
  ],
};
