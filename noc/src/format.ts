const pad = (n: number): string => String(n).padStart(2, '0');

/** Local date-time as `YYYY-MM-DD HH:MM:SS` (24 h), unambiguous across locales. */
export function formatDateTime(value: string | Date): string {
  const d = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return String(value);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatTime(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `3d 4h 12m`, `4h 12m 5s`, `12m 5s`, `5s`. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3_600);
  const minutes = Math.floor((s % 3_600) / 60);
  const seconds = s % 60;
  if (days > 0) return `${days}d ${hours}h ${minutes}m`;
  if (hours > 0) return `${hours}h ${minutes}m ${seconds}s`;
  if (minutes > 0) return `${minutes}m ${seconds}s`;
  return `${seconds}s`;
}

const counts = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `12,345`: fixed grouping so numbers read the same on every workstation. */
export function formatCount(n: number): string {
  return counts.format(n);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `1.5 MiB`: octets in binary units, one decimal from KiB up. */
export function formatBytes(octets: number): string {
  let value = Math.max(0, octets);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** What was typed as a list — one a line, or separated by commas or spaces — without the empty entries. */
export function typedList(text: string): string[] {
  return text.split(/[\s,]+/).filter((item) => item.length > 0);
}
