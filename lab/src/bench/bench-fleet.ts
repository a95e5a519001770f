import { SimulatedHandset, type LabAttestationRoot } from '@pakawaaz/handset-simulator';
import { unwrap, type ControlPlaneApi } from '../server-process/control-plane-api.js';
import { closedLoop, describeLoad } from './load.js';

/**
 * Shared by the benches that need an enrolled fleet: an institution, its officials (one, or one per handset),
 * N attested handsets.
 */

const out = (line: string): void => void process.stdout.write(`${line}\n`);

/** An institution and one official the bench's handsets enrol for. */
export async function provisionOfficial(api: ControlPlaneApi, username: string, institution: string) {
  const inst = await unwrap(api.POST('/api/v1/institutions', { body: { name: institution } }));
  return createOfficial(api, username, inst.id);
}

function createOfficial(api: ControlPlaneApi, username: string, institutionId: string) {
  return unwrap(
    api.POST('/api/v1/users', {
      body: {
        username,
        displayName: username,
        kind: 'official',
        institution: institutionId,
        password: 'cobalt-ferry-lantern-84',
      },
    }),
  );
}

/**
 * An institution and `count` officials of it, `${prefix}.${i}` (as a chat bench needs: one handset each, so a
 * KeyPackage claim for an official names one device). Their usernames, by index.
 */
export async function provisionOfficials(
  api: ControlPlaneApi,
  prefix: string,
  institution: string,
  count: number,
): Promise<string[]> {
  const inst = await unwrap(api.POST('/api/v1/institutions', { body: { name: institution } }));
  const names = Array.from({ length: count }, (_, i) => `${prefix}.${i}`);
  const result = await closedLoop({
    concurrency: 8,
    maxCount: count,
    maxMs: 15 * 60_000,
    op: async (i) => {
      await createOfficial(api, names[i]!, inst.id);
      return true;
    },
  });
  out(describeLoad('officials created (POST /api/v1/users)', 'officials', result));
  if (result.failures) throw new Error(`officials not created: ${result.errors.slice(0, 3).join(' | ')}`);
  return names;
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
  /** The official every handset enrols for, or each handset's by its index. */
  official: string | ((i: number) => string);
  count: number;
}): Promise<SimulatedHandset[]> {
  const handsets: SimulatedHandset[] = []; // by index: handset i is the official(i)'s
  const result = await closedLoop({
    concurrency: 16,
    maxCount: o.count,
    maxMs: 15 * 60_000,
    op: async (i) => {
      const official = typeof o.official === 'string' ? o.official : o.official(i);
      const { token } = await unwrap(
        o.api.POST('/api/v1/enrolment-tokens', { body: { official, expiresInHours: 1 } }),
      );
      const h = new SimulatedHandset({ apiUrl: o.apiUrl, deviceUrl: o.deviceUrl, root: o.root });
      await h.enrol(token);
      handsets[i] = h;
      return true;
    },
  });
  out(describeLoad('enrolment (token + challenge + attestation + certificate)', 'enrolments', result));
  if (handsets.filter(Boolean).length < o.count)
    throw new Error(`only ${handsets.length} of ${o.count} handsets enrolled`);
  return handsets;
}
