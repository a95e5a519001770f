import { describe, expect, it } from 'vitest';
import type { AuthEventInput, AuthEventsService } from '../auth-events/auth-events.service.js';
import { RadiusAuthLog } from './radius-auth-log.js';
import type { AccessRequestContext } from './radius-handler.js';

const IMSI = '001010123456789';
const owner = { id: '00000000-0000-4000-8000-000000000001', institutionId: null, username: 'ayesha' };
const EAP_RESPONSE_AKA = Buffer.from([2, 1, 0, 8, 23, 1, 0, 0]);

function logWith(): { log: RadiusAuthLog; recorded: AuthEventInput[] } {
  const recorded: AuthEventInput[] = [];
  const events = { record: (e: AuthEventInput) => recorded.push(e) } as unknown as AuthEventsService;
  return { log: new RadiusAuthLog(events), recorded };
}

const request = (userName: string): AccessRequestContext =>
  ({
    client: { id: '00000000-0000-4000-8000-0000000000aa', name: 'wlc' },
    source: { address: '10.20.0.5', port: 40000 },
    identifier: 1,
    packet: {},
    attributes: { userName },
  }) as unknown as AccessRequestContext;

describe('RadiusAuthLog.eap', () => {
  it.each([
    ['2s8Jq0PZ6oZ@wlan.example', '(pseudonym)'],
    ['7s8Jq0PZ6oZ@wlan.example', '(pseudonym)'],
    ['4Lk3dfQ@wlan.example', '(re-auth identity)'],
    ['8Lk3dfQ@wlan.example', '(re-auth identity)'],
  ])('never stores the outer identity %s next to the IMSI, only its kind', (outer, kind) => {
    const { log, recorded } = logWith();
    log.eap(request(outer), EAP_RESPONSE_AKA, { kind: 'success', imsi: IMSI, owner }, {});
    expect(recorded[0]).toMatchObject({ result: 'accept', imsi: IMSI, username: kind });
    expect(JSON.stringify(recorded)).not.toContain(outer.slice(1, 8));
  });

  it('keeps a permanent identity (it carries the IMSI anyway)', () => {
    const { log, recorded } = logWith();
    const outer = `0${IMSI}@wlan.example`;
    log.eap(request(outer), EAP_RESPONSE_AKA, { kind: 'failure', reason: 'bad_mac' }, {});
    expect(recorded[0]).toMatchObject({ reason: 'sim_auth_failed', imsi: IMSI, username: outer });
  });
});
