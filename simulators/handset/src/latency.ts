/** Latencies of a sliding window (the last `capacity` samples) and their percentiles, for fleet progress lines. */
export class LatencyWindow {
  private readonly samples: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(private readonly capacity = 10_000) {
    this.samples = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.capacity;
    this.filled = Math.min(this.filled + 1, this.capacity);
  }

  get count(): number {
    return this.filled;
  }

  /** Nearest-rank percentile (p in 0..100) of the window; null when empty. */
  percentile(p: number): number | null {
    if (this.filled === 0) return null;
    const sorted = Array.from(this.samples.subarray(0, this.filled)).sort((a, b) => a - b);
    const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
    return sorted[rank - 1] ?? null;
  }
}
