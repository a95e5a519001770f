import { FLEET_PAGE, type AppFleet, type FleetDevice } from './app-fleet.js';

/** Where a walk over an institution's devices stopped: the last device reached, and whether it was the last one. */
export type WalkEnd = { readonly last: string | undefined; readonly end: boolean };

/**
 * Visits the institution's live handsets after `after`, by id, at most `limit` (whole pages of FLEET_PAGE),
 * awaiting between pages, which keeps the event loop free.
 */
export async function walkDevices(
  fleet: AppFleet,
  institutionId: string,
  after: string | undefined,
  limit: number,
  visit: (d: FleetDevice) => void,
): Promise<WalkEnd> {
  let last = after;
  let seen = 0;
  for (;;) {
    const page = await fleet.devices(institutionId, last);
    for (const d of page) visit(d);
    seen += page.length;
    if (page.length > 0) last = page[page.length - 1]!.id;
    if (page.length < FLEET_PAGE) return { last, end: true };
    if (seen >= limit) return { last, end: false };
  }
}
