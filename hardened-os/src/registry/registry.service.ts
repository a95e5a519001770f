import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  EVENT_BUS,
  LOGGER,
  requireNational,
  type DatabaseHandle,
  type EventBus,
  type Logger,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { hardenedOsError } from '../hardened-os.errors.js';
import { BootKeyCompromised } from '../hardened-os.events.js';
import { OsReleasesFacts } from './os-releases.facts.js';
import {
  formatPatchMonth,
  NATIONAL_FLOOR,
  normDigest,
  patchMonthOf,
  type BootKeyStatus,
} from './registry-rules.js';
import {
  keyView,
  modelView,
  releaseView,
  type BootKeyInput,
  type DeviceModelInput,
  type PatchFloorInput,
  type ReleaseInput,
} from './registry.dto.js';
import { isUniqueViolation, RegistryRepository, type PatchFloorRow } from './registry.repository.js';

const actorName = (by: Principal) => `${by.actor.type}:${by.actor.id}`;

/** The OS registry: device models, verified-boot keys, releases and patch floors. National only. */
@Injectable()
export class RegistryService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly repo: RegistryRepository,
    private readonly facts: OsReleasesFacts,
    private readonly audit: AuditService,
    @Optional() @Inject(EVENT_BUS) private readonly bus?: EventBus,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  async models(by: Principal) {
    requireNational(by);
    return { models: (await this.repo.models()).map(modelView) };
  }

  async addModel(input: z.infer<typeof DeviceModelInput>, by: Principal, requestId: string) {
    requireNational(by);
    const row = await this.database.db
      .transaction(async (tx) => {
        const model = await this.repo.insertModel({ ...input, name: input.name ?? null }, tx);
        await this.record(by, 'hardened-os.model.added', `os-model:${input.codename}`, input, requestId, tx);
        return model;
      })
      .catch(conflict('device_model_exists', `Model ${input.codename} is registered already.`));
    this.facts.invalidate();
    return modelView(row);
  }

  async keys(by: Principal, model?: string) {
    requireNational(by);
    return { keys: (await this.repo.keys(model)).map(keyView) };
  }

  async addKey(input: z.output<typeof BootKeyInput>, by: Principal, requestId: string) {
    requireNational(by);
    await this.requireModel(input.model);
    const digest = normDigest(input.digest);
    const row = await this.database.db
      .transaction(async (tx) => {
        const key = await this.repo.insertKey({ ...input, digest, label: input.label ?? null }, tx);
        const details = { model: input.model, digest, status: input.status };
        await this.record(by, 'hardened-os.boot-key.added', `boot-key:${digest}`, details, requestId, tx);
        return key;
      })
      .catch(conflict('boot_key_exists', `This key is registered for ${input.model} already.`));
    this.facts.invalidate();
    return keyView(row);
  }

  /** active ↔ retired freely; compromised is final (a leaked key cannot be trusted again). */
  async setKeyStatus(model: string, digest: string, status: BootKeyStatus, by: Principal, requestId: string) {
    requireNational(by);
    const d = normDigest(digest);
    const row = await this.database.db.transaction(async (tx) => {
      const key = await this.repo.key(model, d, tx);
      if (!key) throw hardenedOsError('boot_key_not_found', `No boot key ${d} for model ${model}.`);
      if (key.status === 'compromised' && status !== 'compromised')
        throw hardenedOsError(
          'boot_key_compromised',
          'A compromised key stays compromised; register a new key.',
        );
      if (key.status === status) return { row: key, compromised: false };
      const updated = await this.repo.setKeyStatus({ model, digest: d, status }, new Date(), tx);
      const details = { model, digest: d, from: key.status, to: status };
      await this.record(by, 'hardened-os.boot-key.status-changed', `boot-key:${d}`, details, requestId, tx);
      return { row: updated, compromised: status === 'compromised' };
    });
    this.facts.invalidate();
    // Committed: device-mgmt re-evaluates the handsets that boot with this key (a lost event leaves them to
    // their next check-in, which finds the key compromised all the same).
    if (row.compromised && this.bus)
      await this.bus.publish(BootKeyCompromised.create({ model, digest: d })).catch((err: unknown) => {
        this.logger?.error({ err, digest: d }, 'publishing a compromised boot key failed');
      });
    return keyView(row.row);
  }

  async releases(by: Principal, filter: Parameters<RegistryRepository['releases']>[0]) {
    requireNational(by);
    const rows = await this.repo.releases(filter);
    const payloads = await this.repo.payloads(rows.map((r) => r.id));
    return { releases: rows.map((r) => releaseView(r, payloads)) };
  }

  async release(id: string, by: Principal) {
    requireNational(by);
    const row = await this.repo.release(id);
    if (!row) throw hardenedOsError('release_not_found', 'No release with this id.');
    return releaseView(row, await this.repo.payloads([row.id]));
  }

  async addRelease(input: z.output<typeof ReleaseInput>, by: Principal, requestId: string) {
    requireNational(by);
    await this.requireModel(input.model);
    const row = await this.database.db
      .transaction(async (tx) => {
        const release = await this.repo.insertRelease(
          {
            ...input,
            id: randomUUID(),
            vendorPatchLevel: input.vendorPatchLevel ?? null,
            bootPatchLevel: input.bootPatchLevel ?? null,
            createdBy: actorName(by),
          },
          tx,
        );
        const { notes: _notes, ...details } = input;
        await this.record(
          by,
          'hardened-os.release.added',
          `os-release:${release.id}`,
          details,
          requestId,
          tx,
        );
        return release;
      })
      .catch(
        conflict('release_exists', 'A release with this build id (for this model) or fingerprint exists.'),
      );
    return releaseView(row, []);
  }

  async floors(by: Principal) {
    requireNational(by);
    return { floors: (await this.repo.floors()).map(floorView) };
  }

  /** Sets (or with null removes) the national floor or an institution's. */
  async setFloor(input: z.infer<typeof PatchFloorInput>, by: Principal, requestId: string) {
    requireNational(by);
    const scope = input.institutionId ?? NATIONAL_FLOOR;
    const month = input.minimumPatchLevel === null ? null : patchMonthOf(input.minimumPatchLevel);
    await this.database.db.transaction(async (tx) => {
      if (month === null) await this.repo.deleteFloor(scope, tx);
      else
        await this.repo.upsertFloor(
          { scope, minimumPatchLevel: month, updatedBy: actorName(by), updatedAt: new Date() },
          tx,
        );
      await this.record(by, 'hardened-os.patch-floor.set', `patch-floor:${scope}`, input, requestId, tx);
    });
    this.facts.invalidate();
    return this.floors(by);
  }

  private async requireModel(codename: string): Promise<void> {
    if (!(await this.repo.model(codename)))
      throw hardenedOsError(
        'device_model_not_found',
        `Model ${codename} is not registered: add it first (pakawaaz os models add).`,
      );
  }

  private record(
    by: Principal,
    action: string,
    target: string,
    details: Record<string, unknown>,
    requestId: string,
    tx: Parameters<AuditService['record']>[1],
  ) {
    return this.audit.record({ actor: by.actor, action, target, details, requestId }, tx);
  }
}

function floorView(f: PatchFloorRow) {
  return {
    institutionId: f.scope === NATIONAL_FLOOR ? null : f.scope,
    minimumPatchLevel: formatPatchMonth(f.minimumPatchLevel),
    updatedBy: f.updatedBy,
    updatedAt: f.updatedAt.toISOString(),
  };
}

/** A unique violation as the domain's 409; anything else unchanged. */
function conflict(code: 'device_model_exists' | 'boot_key_exists' | 'release_exists', message: string) {
  return (err: unknown): never => {
    throw isUniqueViolation(err) ? hardenedOsError(code, message) : err;
  };
}
