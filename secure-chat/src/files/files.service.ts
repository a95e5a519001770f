import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  AuditService,
  hasRole,
  platformError,
  requireInScope,
  scopeIds,
  type Db,
  type DevicePrincipal,
  type Principal,
} from '@pakawaaz/platform';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import { DeliveryRepository } from '../delivery/delivery.repository.js';
import { secureChatError } from '../secure-chat.errors.js';
import { BLOB_STORE, type BlobStore } from './blob-store.js';
import { FILES_CONFIG, type FilesConfig } from './files.config.js';
import type { CreateUploadInput, UploadView, UsageView } from './files.dto.js';
import { filesError } from './files.errors.js';
import { FilesRepository, type FileRow, type UsageRow } from './files.repository.js';
import { chargedBytes, DEFAULT_RETENTION_DAYS, fileCharge, fileExpiry, parseRange } from './files-rules.js';
import { UploadCreations } from './upload-creations.js';

/** Who uploads: an official, through a handset's certificate or their own token. */
export type Uploader = { userId: string; institutionId: string | null; deviceId: string | null };

export const uploaderOfDevice = (d: DevicePrincipal): Uploader => ({
  userId: d.userId,
  institutionId: d.institutionId,
  deviceId: d.deviceId,
});
export const uploaderOfPrincipal = (p: Principal): Uploader => ({
  userId: p.actor.id,
  institutionId: p.institutionId,
  deviceId: null,
});

export type Download = {
  stream: Readable;
  sizeBytes: number;
  sha256: string;
  range: { start: number; end: number } | null;
};

export const DOWNLOAD_ROUTE = '/api/v1/chat/downloads';
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Attachments: reservations against the institution's quota, capability links, deletion. The chunks
 * themselves are ChunkUploadService's. Every method checks its caller first: the uploader acts on their own
 * files only (another official's are "not found"), an institution's chat-admin on its institution's; a file
 * tagged with a chat group is its uploader's only if it is a member of that group.
 */
@Injectable()
export class FilesService {
  now = () => new Date();
  private readonly creations: UploadCreations;

  constructor(
    private readonly repo: FilesRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(FILES_CONFIG) readonly config: FilesConfig,
    private readonly audit: AuditService,
    // The chat groups' members: a file's groupId must name a group its uploader is in.
    private readonly groups: DeliveryRepository,
  ) {
    this.creations = new UploadCreations(config.createsPerMinute);
  }

  async create(
    who: Uploader,
    input: z.output<typeof CreateUploadInput>,
  ): Promise<z.infer<typeof UploadView>> {
    const institutionId = await this.requireUploader(who, input.groupId);
    if (input.sizeBytes > this.config.maxFileBytes)
      throw filesError(
        'file_too_large',
        `A file may have at most ${this.config.maxFileBytes} bytes; this one declares ${input.sizeBytes}.`,
        { maxBytes: this.config.maxFileBytes },
      );
    this.creations.require(who, this.now().getTime());
    const charge = chargedBytes(input.sizeBytes);
    const id = randomUUID();
    const now = this.now();
    const row = await this.repo.transaction(async (tx) => {
      const usage = await this.repo.reserve(institutionId, charge, this.config.defaultQuotaBytes, tx);
      if (!usage) throw await this.quotaExceeded(institutionId, charge, tx);
      // A refusal here rolls the reservation back with the transaction.
      await this.requireUploaderRoom(usage, who, charge, tx);
      return this.repo.insert(
        {
          id,
          institutionId,
          uploaderUserId: who.userId,
          uploaderDeviceId: who.deviceId,
          groupId: input.groupId ?? null,
          state: 'uploading',
          sizeBytes: input.sizeBytes,
          chargedBytes: charge,
          sha256: input.sha256,
          retentionDays: input.retentionDays ?? DEFAULT_RETENTION_DAYS,
          createdAt: now,
          updatedAt: now,
          expiresAt: new Date(now.getTime() + this.config.abandonMs),
        },
        tx,
      );
    });
    try {
      await this.blobs.create(id);
    } catch (err) {
      await this.discard(row);
      throw err;
    }
    return this.view(row);
  }

  /**
   * Where the upload stands. Without a live PATCH the store's size is the truth (a PATCH whose process died
   * kept the bytes it wrote but could not record them); during one, the offset recorded before it.
   */
  async status(who: Uploader, id: string): Promise<z.infer<typeof UploadView>> {
    const row = await this.own(who, id);
    if (row.state !== 'uploading' || (row.leaseUntil !== null && row.leaseUntil > this.now()))
      return this.view(row);
    return this.view({ ...row, offsetBytes: (await this.blobs.size(row.id)) ?? row.offsetBytes });
  }

  /** The uploader's upload or file (uploading or complete), else upload_not_found. */
  async own(who: Uploader, id: string): Promise<FileRow> {
    const row = await this.repo.byId(id);
    if (!row || row.uploaderUserId !== who.userId || row.state === 'deleted')
      throw filesError('upload_not_found', 'No upload or file of yours has this id.');
    return row;
  }

  /** Replaces the file's link with a new one (the old one stops working): for an uploader who lost it. */
  async newLink(who: Uploader, id: string): Promise<z.infer<typeof UploadView>> {
    const row = await this.own(who, id);
    if (row.state !== 'complete')
      throw filesError('upload_not_found', 'The upload is not complete yet: finish it first.');
    const token = randomBytes(32).toString('base64url');
    const updated = await this.repo.update(id, { tokenHash: hashToken(token), updatedAt: this.now() });
    return this.view(updated, token);
  }

  /** Seals a verified upload and issues its link (called by ChunkUploadService on the last byte). */
  async seal(row: FileRow): Promise<z.infer<typeof UploadView>> {
    const token = randomBytes(32).toString('base64url');
    const completedAt = this.now();
    const updated = await this.repo.sealIfUploading(row.id, row.leaseId, {
      state: 'complete',
      offsetBytes: row.sizeBytes,
      leaseId: null,
      leaseUntil: null,
      tokenHash: hashToken(token),
      completedAt,
      updatedAt: completedAt,
      expiresAt: fileExpiry(completedAt, row.retentionDays),
    });
    // Deleted (by its uploader or an administrator) while its last chunk was being hashed: it stays deleted.
    if (!updated)
      throw filesError('file_gone', 'This upload was deleted while it completed: upload the file again.');
    return this.view(updated, token);
  }

  async remove(who: Uploader, id: string): Promise<void> {
    await this.discard(await this.own(who, id));
  }

  async removeAsAdmin(by: Principal, id: string, requestId: string): Promise<void> {
    requireChatAdmin(by);
    const row = await this.repo.byId(id);
    const hide = () => filesError('file_not_found', 'No file in your scope has this id.');
    if (!row || row.state === 'deleted') throw hide();
    requireInScope(by, row.institutionId, hide);
    await this.discard(row);
    await this.audit.record({
      actor: by.actor,
      action: 'secure-chat.file.delete',
      target: row.id,
      details: { institutionId: row.institutionId, sizeBytes: row.sizeBytes, uploader: row.uploaderUserId },
      requestId,
    });
  }

  async usage(by: Principal): Promise<z.infer<typeof UsageView>> {
    requireChatAdmin(by);
    const rows = await this.repo.usage(scopeIds(by));
    return {
      items: rows.map((r) => ({
        institutionId: r.institutionId,
        usedBytes: r.usedBytes,
        quotaBytes: r.quotaBytes ?? this.config.defaultQuotaBytes,
      })),
    };
  }

  /** Public: whoever holds the link. Expired or deleted: 410; unknown: 404. */
  async download(token: string, rangeHeader: string | undefined): Promise<Download> {
    const row = await this.repo.byTokenHash(hashToken(token));
    if (!row) throw filesError('file_not_found', 'No file has this link.');
    if (row.state === 'deleted' || row.expiresAt <= this.now())
      throw filesError(
        'file_gone',
        'This file has expired or was deleted: ask the sender to share it again.',
      );
    const verdict = parseRange(rangeHeader, row.sizeBytes);
    if (verdict.kind === 'unsatisfiable')
      throw filesError('range_not_satisfiable', `The file has ${row.sizeBytes} bytes.`, {
        sizeBytes: row.sizeBytes,
      });
    const range = verdict.kind === 'partial' ? verdict.range : null;
    const stream = await this.blobs.openRead(row.id, range ?? undefined);
    if (!stream)
      throw filesError('file_gone', 'This file is no longer stored: ask the sender to share it again.');
    return { stream, sizeBytes: row.sizeBytes, sha256: row.sha256, range };
  }

  /**
   * Marks the file deleted (a tombstone: its link answers 410), releases exactly what its reservation charged
   * (fileCharge: whatever the minimum was then), then removes the bytes. Idempotent: a row already deleted is left alone, so the sweep and a user never release twice.
   */
  async discard(row: FileRow): Promise<boolean> {
    const released = await this.repo.transaction(async (tx) => {
      const current = await this.repo.byId(row.id, tx, true);
      if (!current || current.state === 'deleted') return false;
      const now = this.now();
      await this.repo.update(row.id, { state: 'deleted', deletedAt: now, updatedAt: now, leaseId: null }, tx);
      await this.repo.release(current.institutionId, fileCharge(current), tx);
      return true;
    });
    await this.blobs.delete(row.id);
    return released;
  }

  view(row: FileRow, token?: string): z.infer<typeof UploadView> {
    return {
      id: row.id,
      state: row.state === 'complete' ? 'complete' : 'uploading',
      sizeBytes: row.sizeBytes,
      offset: row.offsetBytes,
      sha256: row.sha256,
      groupId: row.groupId,
      chunkMaxBytes: this.config.chunkMaxBytes,
      expiresAt: row.expiresAt.toISOString(),
      ...(token
        ? { download: { path: `${DOWNLOAD_ROUTE}/${token}`, expiresAt: row.expiresAt.toISOString() } }
        : {}),
    };
  }

  /**
   * The uploader's institution, which the file counts against; and, when the upload names a chat group, the
   * uploader must be one of its current members: a handset (or desktop) its own device, an official's token
   * any device of that official. Any other group — unknown, another institution's, one the uploader left or
   * was removed from — answers group_not_found, as the group routes do: the caller learns nothing of it.
   */
  private async requireUploader(who: Uploader, groupId: string | undefined): Promise<string> {
    const institutionId = requireInstitution(who);
    if (groupId === undefined) return institutionId;
    const members = await this.groups.members(groupId);
    const isUploader = (m: { deviceId: string; userId: string }) =>
      who.deviceId === null ? m.userId === who.userId : m.deviceId === who.deviceId;
    if (!members.some(isUploader))
      throw secureChatError('group_not_found', 'No group with this id of which you are a member.');
    return institutionId;
  }

  /**
   * One uploader may not reserve the whole quota: at most its share of it (counted before the reservation);
   * nor hold more than maxUploadsInProgress uploads not yet complete, each a row and a file however small.
   * Counted under the lock `reserve` took on the institution's usage row, so concurrent creations cannot
   * both pass.
   */
  private async requireUploaderRoom(usage: UsageRow, who: Uploader, needBytes: number, tx: Db) {
    const held = await this.repo.uploaderHoldings(usage.institutionId, who, tx);
    const { maxUploadsInProgress } = this.config;
    if (held.uploading >= maxUploadsInProgress)
      throw filesError(
        'too_many_uploads',
        `One ${who.deviceId ? 'handset' : 'account'} may have at most ${maxUploadsInProgress} uploads in progress: finish or cancel (DELETE) one of them first.`,
        { inProgress: held.uploading, maxInProgress: maxUploadsInProgress },
      );
    const quotaBytes = usage.quotaBytes ?? this.config.defaultQuotaBytes;
    const shareBytes = Math.floor((quotaBytes * this.config.uploaderSharePercent) / 100);
    if (held.bytes + needBytes > shareBytes)
      throw filesError(
        'file_uploader_share_exceeded',
        `One ${who.deviceId ? 'handset' : 'account'} may hold at most ${this.config.uploaderSharePercent}% of its institution's attachment quota (${shareBytes} bytes): delete files you no longer need, or wait for them to expire.`,
        { heldBytes: held.bytes, shareBytes, needBytes },
      );
  }

  /** Inside the reservation's transaction (the embedded database has one connection: never a second one). */
  private async quotaExceeded(institutionId: string, needBytes: number, tx: Db) {
    const [usage] = await this.repo.usage([institutionId], tx);
    const quotaBytes = usage?.quotaBytes ?? this.config.defaultQuotaBytes;
    return filesError(
      'file_quota_exceeded',
      `Your institution's attachments would exceed its quota of ${quotaBytes} bytes: delete files you no longer need (or wait for them to expire), or ask your operator for a larger quota.`,
      { usedBytes: usage?.usedBytes ?? 0, quotaBytes, needBytes },
    );
  }
}

function requireInstitution(who: Uploader): string {
  if (!who.institutionId)
    throw filesError(
      'file_institution_required',
      'Attachments count against an institution: your account (or handset) belongs to none.',
    );
  return who.institutionId;
}

function requireChatAdmin(by: Principal): void {
  if (!hasRole(by, ['chat-admin']))
    throw platformError('forbidden', "Only the institution's chat administrators (chat-admin) may do this.");
}
