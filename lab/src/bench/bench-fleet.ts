import { SimulatedHandset, type LabAttestationRoot } from '@pakawaaz/handset-simulator';
import { unwrap, type ControlPlaneApi } from '../server-process/control-plane-api.js';
import { closedLoop, describeLoad } from './load.js';

/** Shared by the benches that need an enrolled fleet: an institution, an official, N attested handsets. */

const out = (line: string): void => void process.stdout.write(`${line}\n`);

/** An institution and one official the bench's handsets enrol for. */
export async function provisionOfficial(api: ControlPlaneApi, username: string, institution: string) {
  const inst = await unwrap(api.POST('/api/v1/institutions', { body: { name: institution } }));
  return unwrap(
    api.POST('/api/v1/users', {
      body: {
        username,
        displayName: username,
        kind: 'official',
        institution: inst.id,
        password: 'cobalt-ferry-lantern-84',
      },
    }),
  );
}

/**
 * `count` handsets enrolled through the real API (enrolment token, challenge, lab key attestation, device
 * certificate), 16 at a time; the rate is printed.
 */
export async function enrolHandsets(o: {
  api: ControlPlaneApi;
  root: LabAttestationRoot;
  apiUrl: string;
  deviceUrl: string;
  official: string;
  count: number;
}): Promise<SimulatedHandset[]> {
  const handsets: SimulatedHandset[] = [];
  const result = await closedLoop({
    concurrency: 16,
    maxCount: o.count,
    maxMs: 15 * 60_000,
    op: async () => {
      const { token } = await unwrap(
        o.api.POST('/api/v1/enrolment-tokens', { body: { official: o.official, expiresInHours: 1 } }),
      );
      const h = new SimulatedHandset({ apiUrl: o.apiUrl, deviceUrl: o.deviceUrl, root: o.root });
      await h.enrol(token);
      handsets.push(h);
      return true;
    },
  });
  out(describeLoad('enrolment (token + challenge + attestation + certificate)', 'enrolments', result));
  if (handsets.length < o.count) throw new Error(`only ${handsets.length} of ${o.count} handsets enrolled`);
  return handsets;
}
