import { presentIdentity, receiveAsPeer, type EapAkaPeerState } from '../sim-peer/eap-aka-peer.js';

/**
 * The handset app's side of the HTTPS SIM factor (openapi.json: POST /api/v1/auth/sim/start and
 * /sim/continue): EAP-AKA / AKA' packets as base64 in JSON, driven by the lab's peer, after a password step
 * returned a login ticket whose `factors` include 'sim'.
 */

export type SimFactorOptions = {
  readonly baseUrl: string;
  readonly ticket: string;
  readonly peer: EapAkaPeerState;
  /**
   * Give an identity in /start — the re-authentication identity or pseudonym the peer holds from an earlier
   * sign-in, else the permanent one — so the server answers at once (default); without it the server asks
   * with AKA-Identity and AT_CHECKCODE then covers that round.
   */
  readonly sendIdentity?: boolean;
  readonly fetch?: typeof fetch;
};

/** The last reply of the server: the login step (tokens, or the next factor) with the EAP-Success in it. */
export type SimLoginStep = { readonly status: string; readonly eap: string } & Record<string, unknown>;

export type SimFactorResult =
  | {
      readonly kind: 'done';
      readonly step: SimLoginStep;
      readonly peer: EapAkaPeerState;
      readonly rounds: number;
    }
  /** The server answered an error (e.g. 401 invalid_credentials after a wrong SIM): status and body as sent. */
  | {
      readonly kind: 'refused';
      readonly status: number;
      readonly body: unknown;
      readonly peer: EapAkaPeerState;
      readonly rounds: number;
    };

type Continue = { status: 'continue'; conversation: string; eap: string };

/** /start, then one /continue per EAP request: AKA-Identity (optional), the challenge (twice on resync). */
const MAX_ROUNDS = 6;

async function post(f: typeof fetch, url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await f(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: kept as text so that a caller can report exactly what the server said.
  }
  return { status: res.status, json };
}

const isContinue = (json: unknown): json is Continue =>
  typeof json === 'object' && json !== null && (json as { status?: unknown }).status === 'continue';

function isStep(json: unknown): json is SimLoginStep {
  const j = json as { status?: unknown; eap?: unknown } | null;
  return typeof j === 'object' && j !== null && typeof j.status === 'string' && typeof j.eap === 'string';
}

function startBody(options: SimFactorOptions, peer: EapAkaPeerState): Record<string, string> {
  const body: Record<string, string> = { ticket: options.ticket, method: peer.method };
  if (options.sendIdentity !== false) body.identity = peer.identity.toString('utf8');
  return body;
}

export async function simFactor(options: SimFactorOptions): Promise<SimFactorResult> {
  const f = options.fetch ?? fetch;
  const base = `${options.baseUrl}/api/v1/auth/sim`;
  let peer = options.sendIdentity === false ? options.peer : presentIdentity(options.peer);
  let reply = await post(f, `${base}/start`, startBody(options, peer));
  for (let rounds = 1; rounds <= MAX_ROUNDS; rounds++) {
    const { status, json } = reply;
    if (status !== 200) return { kind: 'refused', status, body: json, peer, rounds };
    if (!isContinue(json)) {
      if (!isStep(json)) throw new Error(`unexpected SIM factor reply: ${JSON.stringify(json)}`);
      peer = receiveAsPeer(peer, Buffer.from(json.eap, 'base64')).state;
      return { kind: 'done', step: json, peer, rounds };
    }
    const step = receiveAsPeer(peer, Buffer.from(json.eap, 'base64'));
    peer = step.state;
    if (step.effect.kind !== 'send') throw new Error(`the peer would not answer: ${step.effect.kind}`);
    const eap = step.effect.packet.toString('base64');
    reply = await post(f, `${base}/continue`, { conversation: json.conversation, eap });
  }
  throw new Error(`the SIM factor did not finish within ${MAX_ROUNDS} exchanges`);
}
