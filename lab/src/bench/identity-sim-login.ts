import { simFactor } from '../http-sim/http-sim-factor.js';
import { controlPlaneApi, passwordLogin } from '../server-process/control-plane-api.js';
import type { ServerProcess } from '../server-process/server-process.js';
import type { SimFleet } from '../server-process/sim-fleet.js';
import { createEapAkaPeer } from '../sim-peer/eap-aka-peer.js';
import { createUsim, type Usim } from '../sim-peer/usim.js';
import { closedLoop, describeLoad, fmtInt, type LoadResult } from './load.js';

/**
 * (d) Two-factor sign-in of an official over HTTPS: the password step (→ mfa_required, factors: sim), then
 * the SIM factor (/sim/start with the permanent identity, one /sim/continue) to an AAL2 session. The
 * baseline is the password step alone, measured right before: the difference is the SIM factor's cost.
 */

const RUN = { count: 150, concurrency: 8, ms: 20_000 };

type Slot = { readonly imsi: string; usim: Usim };

function ticketFor(server: ServerProcess, fleet: SimFleet) {
  const api = controlPlaneApi(server.url);
  return async (): Promise<string> => {
    const step = await passwordLogin(api, fleet.official.username, fleet.official.password);
    if (step.status !== 'mfa_required' || !step.factors.includes('sim'))
      throw new Error(`password step answered ${JSON.stringify(step)}`);
    return step.ticket;
  };
}

function signInOp(server: ServerProcess, fleet: SimFleet, ticket: () => Promise<string>) {
  const free: Slot[] = fleet.sims.map((s) => ({ imsi: s.imsi, usim: createUsim({ k: s.k, opc: s.opc }) }));
  return async (): Promise<boolean> => {
    const slot = free.shift();
    if (!slot) throw new Error('no free SIM');
    try {
      const peer = createEapAkaPeer({ method: 'aka', imsi: slot.imsi, usim: slot.usim });
      const r = await simFactor({ baseUrl: server.url, ticket: await ticket(), peer });
      slot.usim = r.peer.usim;
      if (r.kind === 'done' && r.step.status === 'authenticated') return true;
      throw new Error(`SIM factor: ${JSON.stringify(r.kind === 'done' ? r.step : r.body)}`);
    } finally {
      free.push(slot);
    }
  };
}

export async function benchSimSignIn(
  server: ServerProcess,
  fleet: SimFleet,
  out: (line: string) => void,
): Promise<void> {
  const ticket = ticketFor(server, fleet);
  const run = (op: () => Promise<boolean>): Promise<LoadResult> =>
    closedLoop({ concurrency: RUN.concurrency, maxCount: RUN.count, maxMs: RUN.ms, op });
  const password = await run(async () => (await ticket()).length > 0);
  const full = await run(signInOp(server, fleet, ticket));
  out(
    describeLoad(`password + SIM factor (HTTPS EAP-AKA), concurrency ${RUN.concurrency}`, 'sign-ins', full),
  );
  out(describeLoad('baseline: the password step alone (→ mfa_required)', 'steps', password));
  out(
    `→ two-factor sign-in: ${fmtInt(full.perSecond)}/s vs ${fmtInt(password.perSecond)}/s for the password step = ${(password.perSecond / full.perSecond).toFixed(2)}x`,
  );
}
