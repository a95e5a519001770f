import { readFile } from 'node:fs/promises';
import { Inject, Injectable } from '@nestjs/common';
import { CALLS_CONFIG, type CallsConfig } from '../calls.config.js';
import { turnCredentials, type TurnCredentials } from './turn-credentials.js';

export type TurnStatus = {
  configured: boolean;
  urls: string[];
  ttlSeconds: number | null;
  probeSeconds: number | null;
};

/**
 * Short-lived coturn credentials per call and device. The shared secret (coturn's `static-auth-secret`) is
 * read from PAKAWAAZ_TURN_SECRET_FILE at first use and kept in memory only; without TURN configured, joins
 * carry no TURN servers (calls then work on the same network only).
 */
@Injectable()
export class TurnService {
  private secret: Promise<string> | undefined;

  constructor(@Inject(CALLS_CONFIG) private readonly config: Pick<CallsConfig, 'turn'>) {}

  status(): TurnStatus {
    const t = this.config.turn;
    return {
      configured: t !== null,
      urls: t?.urls ?? [],
      ttlSeconds: t?.ttlSeconds ?? null,
      probeSeconds: t ? t.probeMs / 1000 : null,
    };
  }

  async issue(deviceId: string, nowMs = Date.now()): Promise<TurnCredentials | null> {
    const t = this.config.turn;
    if (!t) return null;
    if (!this.secret) {
      const reading = readFile(t.secretFile, 'utf8').then((s) => {
        const secret = s.trim();
        if (secret.length < 16) throw new Error('PAKAWAAZ_TURN_SECRET_FILE holds fewer than 16 characters');
        return secret;
      });
      this.secret = reading;
      // A failed read is not kept: the file (fixed meanwhile) is read again at the next join.
      reading.catch(() => {
        if (this.secret === reading) this.secret = undefined;
      });
    }
    return turnCredentials({
      secret: await this.secret,
      urls: t.urls,
      id: deviceId,
      ttlSeconds: t.ttlSeconds,
      nowMs,
    });
  }
}
