import type { Readable } from 'node:stream';
import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import {
  AuditService,
  ContentUploadError,
  DATABASE,
  LOGGER,
  placeContent,
  removeStoreOrphans,
  sweepContentStore,
  type ContentStoreSweep,
  removeUnreferencedContent,
  requireNational,
  uploadTimeLimitMs,
  type DatabaseHandle,
  type Db,
  type Logger,
  type Principal,
  type ReceivedContent,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { HARDENED_OS_CONFIG, type HardenedOsConfig } from '../hardened-os.config.js';
import { hardenedOsError } from '../hardened-os.errors.js';
import { payloadView, type PayloadQuery } from '../registry/registry.dto.js';
import { isUniqueViolation, RegistryRepository } from '../registry/registry.repository.js';
import { PayloadStore } from './payload-store.js';

export const PAYLOAD_STORE = Symbol.for('pakawaaz.hardened-os.PayloadStore');

/** Uploads streamed at once on a node: each holds a socket, a temp file and disk bandwidth for minutes. */
export const MAX_CONCURRENT_UPLOADS = 2;
/** What a refused upload is told to wait (Retry-After): an OTA payload takes minutes to stream. */
const UPLOADS_BUSY_RETRY_SECONDS = 30;

/** OTA payloads of a release: streamed to disk by SHA-256 with the size limit checked as bytes arrive. */
@Injectable()
export class PayloadsService implements OnModuleInit {
  private uploading = 0;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(HARDENED_OS_CONFIG) private readonly config: HardenedOsConfig,
    @Inject(PAYLOAD_STORE) private readonly store: PayloadStore,
    private readonly repo: RegistryRepository,
    private readonly audit: AuditService,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  /**
   * Start-up: temporary files left by uploads a crash cut short are removed; then, in the background, payload
   * files no release refers to (a crash between a file's rename and its row's commit). See sweepContentStore.
   */
  onModuleInit(): Promise<void> {
    return sweepContentStore(this.sweep());
  }

  /** Removes payload files no release refers to, untouched for the stale time. Returns how many went. */
  removeOrphans(now?: number): Promise<number> {
    return removeStoreOrphans(this.sweep(), now);
  }

  private sweep(): ContentStoreSweep {
    const { db } = this.database;
    return {
      db,
      store: this.store,
      isReferenced: this.referenced,
      uploadIdleMs: this.config.payloadUploadIdleMs,
      logger: this.logger,
    };
  }

  private readonly referenced = (tx: Db, sha256: string) => this.repo.payloadWithSha(sha256, tx);

  async upload(
    releaseId: string,
    q: z.output<typeof PayloadQuery>,
    body: Readable,
    declaredBytes: number | undefined,
    by: Principal,
    requestId: string,
  ) {
    requireNational(by);
    // The body is not read on a refusal: drained, so that the connection can answer.
    const refuse = (err: unknown): never => {
      body.resume();
      throw err;
    };
    if (this.uploading >= MAX_CONCURRENT_UPLOADS)
      refuse(
        hardenedOsError(
          'payload_uploads_busy',
          `This node already receives ${MAX_CONCURRENT_UPLOADS} payloads: try again when one has finished.`,
          { retryAfterSeconds: UPLOADS_BUSY_RETRY_SECONDS },
        ),
      );
    this.uploading += 1;
    try {
      return await this.receive(releaseId, q, body, declaredBytes, by, requestId, refuse);
    } finally {
      this.uploading -= 1;
    }
  }

  private async receive(
    releaseId: string,
    q: z.output<typeof PayloadQuery>,
    body: Readable,
    declaredBytes: number | undefined,
    by: Principal,
    requestId: string,
    refuse: (err: unknown) => never,
  ) {
    const release = await this.repo.release(releaseId);
    if (!release) refuse(hardenedOsError('release_not_found', 'No release with this id.'));
    const fromBuildId = q.kind === 'incremental' ? q.from : undefined;
    if (q.kind === 'incremental' && !fromBuildId)
      refuse(
        hardenedOsError(
          'invalid_os_registry_input',
          'An incremental payload names the build it applies on (from).',
        ),
      );
    if (q.kind === 'full' && q.from !== undefined)
      refuse(
        hardenedOsError('invalid_os_registry_input', 'A full payload applies on any build: leave out from.'),
      );
    const exists = () =>
      hardenedOsError(
        'payload_exists',
        `This release has a ${q.kind} payload${fromBuildId ? ` from ${fromBuildId}` : ''} already.`,
      );
    // Checked before a byte is streamed (the unique index still decides a race between two uploads).
    const on = await this.repo.payloads([releaseId]);
    if (on.some((p) => p.kind === q.kind && p.fromBuildId === (fromBuildId ?? ''))) refuse(exists());
    const stored = await this.store
      .receive(body, {
        maxBytes: this.config.payloadMaxBytes,
        declaredBytes,
        expectedSha256: q.sha256?.toLowerCase(),
        idleMs: this.config.payloadUploadIdleMs ?? 30_000,
        totalMs: uploadTimeLimitMs(
          this.config.payloadMaxBytes,
          this.config.payloadUploadMinBytesPerSecond ?? 1024 * 1024,
        ),
      })
      .catch(uploadError);
    // The file is moved into place under its digest's lock in the transaction that inserts the row: a failed
    // upload of the same bytes cannot remove it between the rename and the row's commit.
    try {
      return payloadView(await this.record(stored, releaseId, q, fromBuildId ?? '', by, requestId, exists));
    } finally {
      await this.store.discard(stored); // the temporary file, when it was not renamed
    }
  }

  private async record(
    stored: ReceivedContent,
    releaseId: string,
    { kind }: z.output<typeof PayloadQuery>,
    fromBuildId: string,
    by: Principal,
    requestId: string,
    exists: () => unknown,
  ) {
    return this.database.db
      .transaction(async (tx) => {
        await placeContent(tx, this.store, stored);
        const payload = await this.repo.insertPayload(
          {
            releaseId,
            kind,
            fromBuildId,
            sha256: stored.sha256,
            sizeBytes: stored.sizeBytes,
            uploadedBy: `${by.actor.type}:${by.actor.id}`,
          },
          tx,
        );
        await this.audit.record(
          {
            actor: by.actor,
            action: 'hardened-os.payload.uploaded',
            target: `os-release:${releaseId}`,
            details: {
              kind,
              fromBuildId: fromBuildId || null,
              sha256: stored.sha256,
              sizeBytes: stored.sizeBytes,
            },
            requestId,
          },
          tx,
        );
        return payload;
      })
      .catch(async (err: unknown) => {
        // Not on record: the stored file goes too (a rename the failure left behind included), unless a payload
        // on record has the same bytes.
        await this.removeUnreferenced(stored.sha256);
        throw isUniqueViolation(err) ? exists() : err;
      });
  }

  private async removeUnreferenced(sha256: string): Promise<void> {
    try {
      await removeUnreferencedContent(this.database.db, this.store, sha256, this.referenced);
    } catch (err) {
      this.logger?.warn({ err, sha256 }, 'removing an OTA payload file no release refers to failed');
    }
  }
}

function uploadError(err: unknown): never {
  if (!(err instanceof ContentUploadError)) throw err;
  switch (err.reason) {
    case 'too_large':
      throw hardenedOsError('payload_too_large', err.message);
    case 'truncated':
      throw hardenedOsError('payload_truncated', err.message);
    case 'digest_mismatch':
      throw hardenedOsError('payload_digest_mismatch', err.message);
    case 'timeout':
      throw hardenedOsError('payload_upload_timeout', err.message);
  }
}
