import { describe, expect, it } from 'vitest';
import { compareVersions, parseCustom, refusal, targetNames, type OtaTargetCustom } from './ota-rules.js';

const running = {
  model: 'labphone',
  buildId: 'PKZ1.261101.001',
  version: '15.1',
  securityPatch: '2026-11-05',
};
const full: OtaTargetCustom = {
  model: 'labphone',
  buildId: 'PKZ1.261201.001',
  version: '15.2',
  securityPatchLevel: '2026-12-05',
  kind: 'full',
};

describe("the lab handset's anti-downgrade rules", () => {
  it('accepts a newer build of its own model, full or incremental from the build it runs', () => {
    expect(refusal(full, running)).toBeNull();
    expect(refusal({ ...full, kind: 'incremental', fromBuildId: 'PKZ1.261101.001' }, running)).toBeNull();
    // Same patch month, newer version: an update, not a downgrade.
    expect(refusal({ ...full, securityPatchLevel: '2026-11-05' }, running)).toBeNull();
  });

  it('refuses an older security patch level, naming both', () => {
    expect(refusal({ ...full, securityPatchLevel: '2026-10-05' }, running)).toBe(
      'downgrade refused: 2026-10-05 < 2026-11-05',
    );
  });

  it('refuses an older OS version even with a newer patch level', () => {
    expect(refusal({ ...full, version: '15.0' }, running)).toBe('downgrade refused: version 15.0 < 15.1');
    expect(refusal({ ...full, version: '14.9' }, running)).toMatch(/^downgrade refused: version/);
  });

  it("refuses another model's build", () => {
    expect(refusal({ ...full, model: 'shiba' }, running)).toBe(
      'wrong model: the target is for shiba, this handset is labphone',
    );
  });

  it('refuses an incremental payload made for another base build', () => {
    expect(refusal({ ...full, kind: 'incremental', fromBuildId: 'PKZ1.261001.001' }, running)).toBe(
      'incremental payload from PKZ1.261001.001, this handset runs PKZ1.261101.001',
    );
  });

  it('refuses the build it runs already', () => {
    expect(refusal({ ...full, buildId: running.buildId }, running)).toBe('already running PKZ1.261101.001');
  });

  it('skips a comparison it has nothing to compare with (a state saved before versions were kept)', () => {
    expect(refusal({ ...full, version: '1' }, { model: 'labphone', buildId: 'X' })).toBeNull();
  });

  it('compares dotted versions numerically', () => {
    expect(compareVersions('15.10', '15.2')).toBe(1);
    expect(compareVersions('15', '15.1')).toBe(-1);
    expect(compareVersions('15.2', '15.2')).toBe(0);
    expect(compareVersions('16', '15.9.9')).toBe(1);
  });

  it('looks for the incremental from its build first, then the full payload', () => {
    expect(targetNames('labphone', '15.2', 'B1')).toEqual([
      'labphone/15.2/incremental-from-B1.zip',
      'labphone/15.2/full.zip',
    ]);
  });

  it('refuses a target whose custom fields cannot decide', () => {
    expect(parseCustom({ ...full, securityPatchLevel: undefined })).toBe(
      'target metadata lacks custom.securityPatchLevel',
    );
    expect(parseCustom({ ...full, kind: 'incremental' })).toBe('incremental target lacks fromBuildId');
    expect(parseCustom(undefined)).toBe('target metadata lacks custom.model');
    expect(parseCustom(full)).toEqual(full);
  });
});
