import { AppError } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { IpcPeers } from './ipc-peers.js';
import type { ProcessMessage } from './process-plan.js';

/** A process's peers whose channel records what it sends; `connected: false` is a channel gone. */
function peers(isLead: boolean, connected = true) {
  const sent: ProcessMessage[] = [];
  const p = new IpcPeers(isLead, (m) => (connected ? (sent.push(m), true) : false));
  return { p, sent };
}
const flush = () => new Promise((r) => setImmediate(r));

describe('IpcPeers', () => {
  it('the lead answers a question for the lead itself, without the channel', async () => {
    const { p, sent } = peers(true);
    p.serve('identity.radius.status', () => ({ listening: true }));
    await expect(p.fromLead('identity.radius.status')).resolves.toEqual({ listening: true });
    expect(sent).toEqual([]);
  });

  it("a follower asks the supervisor and gets the lead's answer", async () => {
    const { p, sent } = peers(false);
    p.serve('identity.radius.status', () => ({ listening: false }));
    const answer = p.fromLead('identity.radius.status');
    expect(sent).toEqual([{ pakawaaz: 'ask', id: 0, key: 'identity.radius.status', to: 'lead' }]);
    p.onMessage({ pakawaaz: 'answers', id: 0, values: [{ listening: true }] });
    await expect(answer).resolves.toEqual({ listening: true });
  });

  it('a lead that does not answer is a 503 process_unavailable, never this process’s own state', async () => {
    const { p } = peers(false);
    p.serve('identity.radius.status', () => ({ listening: false }));
    const answer = p.fromLead('identity.radius.status');
    p.onMessage({ pakawaaz: 'answers', id: 0, values: null });
    const err = await answer.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'process_unavailable', status: 503 });
  });

  it('gathers every process’s answer, and its own alone when the supervisor is gone', async () => {
    const { p } = peers(false);
    p.serve('platform.metrics', () => 'mine');
    const all = p.fromAll('platform.metrics');
    p.onMessage({ pakawaaz: 'answers', id: 0, values: ['lead', 'mine'] });
    await expect(all).resolves.toEqual(['lead', 'mine']);
    const alone = peers(false, false);
    alone.p.serve('platform.metrics', () => 'mine');
    await expect(alone.p.fromAll('platform.metrics')).resolves.toEqual(['mine']);
  });

  it('answers the supervisor’s questions: its value, or no answer for a key it does not serve', async () => {
    const { p, sent } = peers(false);
    p.serve('identity.sign-in-stats', () => Promise.resolve([{ factor: 'pwd' }]));
    p.onMessage({ pakawaaz: 'asked', id: 7, key: 'identity.sign-in-stats' });
    p.onMessage({ pakawaaz: 'asked', id: 8, key: 'core-network.health' });
    await flush();
    expect([...sent].sort((a, b) => ('id' in a && 'id' in b ? a.id - b.id : 0))).toEqual([
      { pakawaaz: 'answer', id: 7, ok: true, value: [{ factor: 'pwd' }] },
      { pakawaaz: 'answer', id: 8, ok: false },
    ]);
  });
});
