import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  requireNational,
  type DatabaseHandle,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { HARDENED_OS_CONFIG, type HardenedOsConfig } from '../hardened-os.config.js';
import { hardenedOsError } from '../hardened-os.errors.js';
import { payloadView, type PayloadQuery } from '../registry/registry.dto.js';
import { isUniqueViolation, RegistryRepository } from '../registry/registry.repository.js';
import { PayloadStore, PayloadUploadError } from './payload-store.js';

export const PAYLOAD_STORE = Symbol.for('pakawaaz.hardened-os.PayloadStore');

/** OTA payloads of a release: streamed to disk by SHA-256 with the size limit checked as bytes arrive. */
@Injectable()
export class PayloadsService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(HARDENED_OS_CONFIG) private readonly config: HardenedOsConfig,
    @Inject(PAYLOAD_STORE) private readonly store: PayloadStore,
    private readonly repo: RegistryRepository,
    private readonly audit: AuditService,
  ) {}

  async upload(
    releaseId: string,
    q: z.output<typeof PayloadQuery>,
    body: Readable,
    declaredBytes: number | undefined,
    by: Principal,
    requestId: string,
  ) {
    requireNational(by);
    const release = await this.repo.release(releaseId);
    if (!release) throw hardenedOsError('release_not_found', 'No release with this id.');
    const fromBuildId = q.kind === 'incremental' ? q.from : undefined;
    if (q.kind === 'incremental' && !fromBuildId)
      throw hardenedOsError(
        'invalid_os_registry_input',
        'An incremental payload names the build it applies on (from).',
      );
    if (q.kind === 'full' && q.from !== undefined)
      throw hardenedOsError(
        'invalid_os_registry_input',
        'A full payload applies on any build: leave out from.',
      );
    const stored = await this.store
      .put(body, {
        maxBytes: this.config.payloadMaxBytes,
        declaredBytes,
        expectedSha256: q.sha256?.toLowerCase(),
      })
      .catch(uploadError);
    const row = await this.database.db
      .transaction(async (tx) => {
        const payload = await this.repo.insertPayload(
          {
            releaseId,
            kind: q.kind,
            fromBuildId: fromBuildId ?? '',
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
              kind: q.kind,
              fromBuildId: fromBuildId ?? null,
              sha256: stored.sha256,
              sizeBytes: stored.sizeBytes,
            },
            requestId,
          },
          tx,
        );
        return payload;
      })
      .catch((err: unknown) => {
        // The stored file stays: it is content-addressed, and the payload already on record may be the same bytes.
        throw isUniqueViolation(err)
          ? hardenedOsError(
              'payload_exists',
              `This release has a ${q.kind} payload${fromBuildId ? ` from ${fromBuildId}` : ''} already.`,
            )
          : err;
      });
    return payloadView(row);
  }
}

function uploadError(err: unknown): never {
  if (!(err instanceof PayloadUploadError)) throw err;
  switch (err.reason) {
    case 'too_large':
      throw hardenedOsError('payload_too_large', err.message);
    case 'truncated':
      throw hardenedOsError('payload_truncated', err.message);
    case 'digest_mismatch':
      throw hardenedOsError('payload_digest_mismatch', err.message);
  }
}
