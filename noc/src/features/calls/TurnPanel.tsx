import { StatusPill, type Tone } from '../../components/StatusPill';
import { formatDateTime } from '../../format';
import type { CallsStatus } from './queries';

type TurnServer = CallsStatus['turn']['servers'][number];

const TONE: Record<TurnServer['health'], Tone> = {
  up: 'good',
  degraded: 'warn',
  down: 'bad',
  unknown: 'neutral',
};

/** What each state means for calls, in the operator's words. */
const MEANING: Record<TurnServer['health'], string> = {
  up: 'answers and relays with our credentials',
  degraded: 'answers but refuses to relay for us: calls across networks fail through it',
  down: 'does not answer: only devices on the same network can call each other through it',
  unknown: 'not checked yet',
};

/**
 * TURN: its configuration and each probed server (STUN Binding, then an Allocate with our credentials) with
 * its state, when it was last checked, the round trip and why it is not up. A server down or degraded is also
 * the alarm `secure-chat.turn.health-changed`.
 */
export function TurnPanel({ turn }: { turn: CallsStatus['turn'] }) {
  if (!turn.configured)
    return (
      <section aria-labelledby="turn-servers">
        <h2 id="turn-servers">TURN servers</h2>
        <p className="muted">
          TURN is not configured (PAKAWAAZ_TURN_URLS, PAKAWAAZ_TURN_SECRET_FILE): calls work only between
          devices that reach each other directly.
        </p>
      </section>
    );
  return (
    <section aria-labelledby="turn-servers">
      <h2 id="turn-servers">TURN servers</h2>
      <p className="muted">
        Checked every {turn.probeSeconds ?? '—'} s; credentials valid {turn.ttlSeconds ?? '—'} s.
        {turn.unprobed.length ? ` Not checked (TLS): ${turn.unprobed.join(', ')}.` : ''}
      </p>
      <table>
        <thead>
          <tr>
            <th>Server</th>
            <th>State</th>
            <th>Last check</th>
            <th>Round trip</th>
            <th>Problem</th>
          </tr>
        </thead>
        <tbody>
          {turn.servers.length === 0 ? (
            <tr>
              <td colSpan={5}>No turn: URL to check.</td>
            </tr>
          ) : (
            turn.servers.map((s) => (
              <tr key={s.server}>
                <td className="break">
                  <code>{s.server}</code>
                </td>
                <td>
                  <StatusPill value={s.health} tone={TONE[s.health]} label={MEANING[s.health]} />
                </td>
                <td>{s.checkedAt ? formatDateTime(s.checkedAt) : '—'}</td>
                <td>{s.rttMs === null ? '—' : `${s.rttMs} ms`}</td>
                <td className="break">{s.error ?? (s.health === 'up' ? '—' : MEANING[s.health])}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </section>
  );
}
