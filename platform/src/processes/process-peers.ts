import { platformError } from '../errors/platform.errors.js';

/**
 * What some server process holds in memory and the others must answer with (PAKAWAAZ_PROCESSES > 1): the
 * RADIUS server's state lives in the host's lead process, the sign-in tally in every process. A service
 * registers its own answer under a key (`serve`, in every process) and asks for the lead's (`fromLead`) or
 * everyone's (`fromAll`); the supervisor routes the question. A process that runs alone answers itself.
 * Answers cross a JSON channel: plain data only (no Date, Map, bigint).
 */
export type ProcessPeers = {
  serve(key: string, answer: () => unknown): void;
  fromLead<T>(key: string): Promise<T>;
  fromAll<T>(key: string): Promise<T[]>;
};
export const PROCESS_PEERS = Symbol.for('pakawaaz.platform.ProcessPeers');

/** The answers this process registered. */
export class PeerAnswers {
  private readonly answers = new Map<string, () => unknown>();

  serve(key: string, answer: () => unknown): void {
    this.answers.set(key, answer);
  }

  async answer(key: string): Promise<unknown> {
    const answer = this.answers.get(key);
    if (!answer) throw new Error(`no answer for "${key}" in this process`);
    return await answer();
  }
}

/** One process alone (the default): every question is answered here. */
export class LocalPeers implements ProcessPeers {
  private readonly own = new PeerAnswers();

  serve(key: string, answer: () => unknown): void {
    this.own.serve(key, answer);
  }

  async fromLead<T>(key: string): Promise<T> {
    return (await this.own.answer(key)) as T;
  }

  async fromAll<T>(key: string): Promise<T[]> {
    return [(await this.own.answer(key)) as T];
  }
}

/** 503: the process that holds the answer (the host's lead, starting again) did not give it in time. */
export const processUnavailable = () =>
  platformError(
    'process_unavailable',
    'The server process that holds this answer is starting again; retry in a few seconds.',
    { retryAfterSeconds: 5 },
  );
