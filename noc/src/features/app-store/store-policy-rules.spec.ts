import { ApiError } from '@pakawaaz/api-client';
import { describe, expect, it } from 'vitest';
import { describeSetting, floorRefusal, permissionsOf } from './store-policy-rules';

const SMS = 'android.permission.READ_SMS';
const NET = 'android.permission.INTERNET';

describe('permissionsOf', () => {
  it('reads one a line, or separated by commas or spaces, each once', () => {
    expect(permissionsOf(` ${SMS}\n\n${NET}, ${SMS} \n`)).toEqual([SMS, NET]);
    expect(permissionsOf('  \n')).toEqual([]);
  });
});

describe('describeSetting', () => {
  const policy = { permissionAllow: null, permissionDeny: [], minTargetSdk: 35, allowCleartext: false };
  it('says what each setting means', () => {
    expect(describeSetting('permissionAllow', policy)).toBe('any not denied');
    expect(describeSetting('permissionAllow', { ...policy, permissionAllow: [] })).toBe('none');
    expect(describeSetting('permissionDeny', { ...policy, permissionDeny: [SMS, NET] })).toBe(
      `${SMS}, ${NET}`,
    );
    expect(describeSetting('minTargetSdk', policy)).toBe('35');
    expect(describeSetting('allowCleartext', policy)).toBe('refused');
  });
});

describe('floorRefusal', () => {
  it("names a floor refusal's settings by their labels, and nothing for other failures", () => {
    const floor = new ApiError(422, 'policy_below_national_floor', 'weaker', 'req', [], {
      details: { fields: ['permissionDeny', 'allowCleartext'] },
    });
    expect(floorRefusal(floor)).toEqual(['Denied permissions', 'Cleartext HTTP']);
    expect(floorRefusal(new ApiError(403, 'outside_institution_scope', 'no', 'req'))).toEqual([]);
    expect(floorRefusal(new Error('network'))).toEqual([]);
    expect(floorRefusal(null)).toEqual([]);
  });
});
