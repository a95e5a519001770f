/**
 * NAS timers as Open5GS 2.7 encodes them (lib/nas/common/conv.c), with the values it accepts and the nearest
 * valid ones for a message. Re-exported by open5gs-limits.ts.
 */

/**
 * T3412 (MME) is sent as a GPRS Timer (TS 24.008 §10.5.7.3, TS 24.301 §9.9.3.16): a 5-bit value times
 * 2 s, 1 min or 1 decihour. T3512 (AMF) is a GPRS Timer 3 (TS 24.008 §10.5.7.4a, TS 24.501 §9.11.2.5): a
 * 5-bit value times 2 s, 30 s, 1 min, 10 min, 1 h, 10 h or 320 h.
 */
export type TimerCoding = 'GPRS Timer' | 'GPRS Timer 3';

type TimerUnit = { seconds: number; label: string; bits: number };
/** `octet`: the value octet as sent, unit in bits 8-6 and value in bits 5-1 (TS 24.008 Tables 10.5.172, 10.5.163a). */
export type TimerEncoding = { unit: string; unitSeconds: number; value: number; octet: number };

const unit = (seconds: number, label: string, bits: number): TimerUnit => ({ seconds, label, bits });

// TS 24.008 Table 10.5.172: 000 = 2 s, 001 = 1 min, 010 = decihours.
const GPRS_TIMER_2S = unit(2, '2 s', 0b000);
const GPRS_TIMER_CASCADE: readonly [number, TimerUnit][] = [
  [60, unit(60, '1 min', 0b001)],
  [6, unit(360, '6 min (decihour)', 0b010)],
];
// TS 24.008 Table 10.5.163a: 011 = 2 s, 100 = 30 s, 101 = 1 min, 000 = 10 min, 001 = 1 h, 010 = 10 h,
// 110 = 320 h.
const GPRS_TIMER_3_2S = unit(2, '2 s', 0b011);
const GPRS_TIMER_3_CASCADE: readonly [number, TimerUnit][] = [
  [30, unit(30, '30 s', 0b100)],
  [2, unit(60, '1 min', 0b101)],
  [10, unit(600, '10 min', 0b000)],
  [6, unit(3600, '1 h', 0b001)],
  [10, unit(36_000, '10 h', 0b010)],
  [32, unit(1_152_000, '320 h', 0b110)],
];

/** The 5-bit timer value field. */
const MAX_TIMER_VALUE = 31;

function encodeWith(
  seconds: number,
  first: TimerUnit,
  cascade: readonly [number, TimerUnit][],
): TimerEncoding | null {
  const enc = (u: TimerUnit, value: number): TimerEncoding => ({
    unit: u.label,
    unitSeconds: u.seconds,
    value,
    octet: (u.bits << 5) | value,
  });
  if (!Number.isSafeInteger(seconds) || seconds < 0) return null;
  // Up to 63 s: multiples of 2 s only, as Open5GS does (a value of 60 is sent as 30 × 2 s).
  if (seconds <= 63) return seconds % 2 === 0 ? enc(first, seconds / 2) : null;
  let value = seconds;
  for (const [divisor, u] of cascade) {
    if (value % divisor !== 0) return null;
    value /= divisor;
    if (value <= MAX_TIMER_VALUE) return enc(u, value);
  }
  return null; // "Overflow!"
}

/** lib/nas/common/conv.c ogs_nas_gprs_timer_from_sec(): null where Open5GS answers OGS_ERROR. */
export function encodeGprsTimer(seconds: number): TimerEncoding | null {
  return encodeWith(seconds, GPRS_TIMER_2S, GPRS_TIMER_CASCADE);
}

/** lib/nas/common/conv.c ogs_nas_gprs_timer_3_from_sec(): null where Open5GS answers OGS_ERROR. */
export function encodeGprsTimer3(seconds: number): TimerEncoding | null {
  return encodeWith(seconds, GPRS_TIMER_3_2S, GPRS_TIMER_3_CASCADE);
}

const CODINGS: Record<TimerCoding, { encode: (s: number) => TimerEncoding | null; units: TimerUnit[] }> = {
  'GPRS Timer': { encode: encodeGprsTimer, units: [GPRS_TIMER_2S, ...GPRS_TIMER_CASCADE.map(([, u]) => u)] },
  'GPRS Timer 3': {
    encode: encodeGprsTimer3,
    units: [GPRS_TIMER_3_2S, ...GPRS_TIMER_3_CASCADE.map(([, u]) => u)],
  },
};

export function encodeTimer(coding: TimerCoding, seconds: number): TimerEncoding | null {
  return CODINGS[coding].encode(seconds);
}

const validCache = new Map<TimerCoding, number[]>();

/**
 * Every timer value in seconds that Open5GS accepts for the coding, ascending. Zero is left out: Open5GS
 * takes a zero timer as a missing one (src/amf/context.c amf_context_validation() "No amf.time.t3512.value",
 * src/mme/mme-context.c mme_context_validation() "No mme.time.t3412.value").
 */
export function validTimerValues(coding: TimerCoding): readonly number[] {
  const cached = validCache.get(coding);
  if (cached) return cached;
  const { units, encode } = CODINGS[coding];
  const all = new Set<number>();
  for (const u of units)
    for (let v = 1; v <= MAX_TIMER_VALUE; v++) if (encode(u.seconds * v) !== null) all.add(u.seconds * v);
  const sorted = [...all].sort((a, b) => a - b);
  validCache.set(coding, sorted);
  return sorted;
}

/** The valid values just below and just above `seconds` (one when it is outside the range). */
export function nearestTimerValues(coding: TimerCoding, seconds: number): number[] {
  const valid = validTimerValues(coding);
  const above = valid.find((v) => v > seconds);
  const below = [...valid].reverse().find((v) => v < seconds);
  return [below, above].filter((v): v is number => v !== undefined);
}

/** Why a timer value cannot be sent, with the nearest values that can; null when it can. */
export function timerProblem(coding: TimerCoding, name: string, seconds: number): string | null {
  if (seconds > 0 && encodeTimer(coding, seconds) !== null) return null;
  if (!Number.isFinite(seconds))
    return `${name} is missing or not a number; Open5GS refuses to start without it`;
  const { units } = CODINGS[coding];
  const clause = coding === 'GPRS Timer' ? 'TS 24.008 §10.5.7.3' : 'TS 24.008 §10.5.7.4a';
  const nearest = nearestTimerValues(coding, seconds).join(' or ');
  return `${name} ${seconds} cannot be encoded as a ${coding} (${clause}: a value of 1-${MAX_TIMER_VALUE} in units of ${units.map((u) => u.label).join(', ')}), so Open5GS refuses to start; nearest: ${nearest}`;
}
