import { PeerAnswers, processUnavailable, type ProcessPeers } from '@pakawaaz/platform';
import type { ProcessMessage } from './process-plan.js';

/** A little longer than the supervisor's own wait, so that its (partial) answer arrives first. */
const ASK_TIMEOUT_MS = 6_000;

/**
 * ProcessPeers for a process of several on one host: its own answers, given when the supervisor asks, and
 * its questions to the others, routed by the supervisor. The lead answers its own questions for the lead.
 */
export class IpcPeers implements ProcessPeers {
  private readonly own = new PeerAnswers();
  private next = 0;
  private readonly waiting = new Map<number, (values: unknown[] | null) => void>();

  constructor(
    private readonly isLead: boolean,
    private readonly send: (message: ProcessMessage) => boolean,
  ) {}

  serve(key: string, answer: () => unknown): void {
    this.own.serve(key, answer);
  }

  async fromLead<T>(key: string): Promise<T> {
    if (this.isLead) return (await this.own.answer(key)) as T;
    const values = await this.ask(key, 'lead');
    if (values === null || values.length === 0) throw processUnavailable();
    return values[0] as T;
  }

  /** Every serving process's answer; this process's own alone if the supervisor cannot be asked. */
  async fromAll<T>(key: string): Promise<T[]> {
    const values = await this.ask(key, 'all');
    return (values ?? [await this.own.answer(key)]) as T[];
  }

  /** The supervisor's messages for this side: a question to answer, or the answers to one of ours. */
  onMessage(m: ProcessMessage): void {
    if (m.pakawaaz === 'answers') return this.waiting.get(m.id)?.(m.values);
    if (m.pakawaaz !== 'asked') return;
    this.own.answer(m.key).then(
      (value) => this.send({ pakawaaz: 'answer', id: m.id, ok: true, value }),
      () => this.send({ pakawaaz: 'answer', id: m.id, ok: false }),
    );
  }

  private ask(key: string, to: 'lead' | 'all'): Promise<unknown[] | null> {
    const id = this.next++;
    return new Promise((resolve) => {
      const settle = (values: unknown[] | null): void => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(values);
      };
      const timer = setTimeout(() => settle(null), ASK_TIMEOUT_MS);
      this.waiting.set(id, settle);
      if (!this.send({ pakawaaz: 'ask', id, key, to })) settle(null);
    });
  }
}
