import { describe, expect, it } from 'vitest';
import { CheckInWaker, type Wakeable } from './handset-push.js';

/** A handset double whose check-ins take `ms` and obey `commands[i]` acknowledgements on the i-th one. */
function handset(acksAfter: number[], ms = 20) {
  const h = {
    checkIns: 0,
    pendingAcknowledgements: [] as unknown[],
    state: { retired: false },
    async checkIn() {
      await new Promise((r) => setTimeout(r, ms));
      // A check-in delivers the acknowledgements owed, and may bring commands that owe new ones.
      h.pendingAcknowledgements = Array.from({ length: acksAfter[h.checkIns] ?? 0 }, (_, i) => i);
      h.checkIns++;
    },
  };
  return h satisfies Wakeable;
}

describe('waking a handset', () => {
  it('checks in once; again at once when it obeyed commands, so the acknowledgement does not wait', async () => {
    const quiet = handset([]);
    await new CheckInWaker(quiet).wake();
    expect(quiet.checkIns).toBe(1);

    const busy = handset([1]);
    await new CheckInWaker(busy).wake();
    expect(busy.checkIns).toBe(2);
    expect(busy.pendingAcknowledgements).toEqual([]);
  });

  it('runs one check-in at a time: wakes during one make one more after it, not one each', async () => {
    const h = handset([], 30);
    const w = new CheckInWaker(h);
    const first = w.wake();
    await new Promise((r) => setTimeout(r, 5));
    await Promise.all([w.wake(), w.wake(), w.wake(), first]);
    expect(h.checkIns).toBe(2);
  });

  it('stops once the handset is wiped', async () => {
    const h = handset([]);
    h.state.retired = true;
    await new CheckInWaker(h).wake();
    expect(h.checkIns).toBe(0);
  });
});
