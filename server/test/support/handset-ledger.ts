import { setTimeout as sleep } from 'node:timers/promises';
import type { SimulatedHandset } from '@pakawaaz/handset-simulator';

/**
 * What one simulated handset knows for certain, from the replies it got (200s only): when it sent its last
 * check-in the server answered, which commands it received and how often, and which acknowledgements a
 * check-in the server answered carried. A fault test compares the server's state after a crash with it.
 */
export class HandsetLedger {
  /** Client clock (same machine) just before the last answered check-in was sent. */
  lastAnsweredSentAt: number | null = null;
  answered = 0;
  failed = 0;
  readonly received = new Map<string, number>();
  readonly acknowledged = new Set<string>();

  constructor(readonly handset: SimulatedHandset) {}

  /** One check-in; false when it got no answer (the server was down or died mid-request). */
  async checkIn(): Promise<boolean> {
    const carrying = this.handset.pendingAcknowledgements.map((a) => a.commandId);
    const sentAt = Date.now();
    try {
      const reply = await this.handset.checkIn();
      this.lastAnsweredSentAt = sentAt;
      this.answered++;
      carrying.forEach((id) => this.acknowledged.add(id));
      for (const c of reply.commands) this.received.set(c.id, (this.received.get(c.id) ?? 0) + 1);
      return true;
    } catch {
      this.failed++;
      return false;
    }
  }

  /** Commands this handset received in more than one answered check-in. */
  duplicates(): string[] {
    return [...this.received].filter(([, n]) => n > 1).map(([id]) => id);
  }
}

/** Every ledger's handset checks in back to back (a short pause after a failure) until `stop()` resolves. */
export function storm(ledgers: readonly HandsetLedger[]): { stop(): Promise<void> } {
  let stopped = false;
  const loops = ledgers.map(async (l) => {
    while (!stopped) if (!(await l.checkIn())) await sleep(25);
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}
