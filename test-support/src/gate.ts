import { setTimeout as sleep } from 'node:timers/promises';

/** A promise a test opens when it chooses: `reached` when code arrived at it, `open()` to let it pass. */
export type Gate = { wait(): Promise<void>; reached: Promise<void>; open(): void };

export function gate(): Gate {
  let open!: () => void;
  let arrive!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  return {
    reached,
    open,
    wait: () => {
      arrive();
      return opened;
    },
  };
}

/** Polls `check` (on real timers, even while a test fakes some) until it holds or `timeoutMs` passes. */
export async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(25);
  }
}
