import { describe, expect, it } from 'vitest';
import { effectiveStorePolicy, storePolicyWeakerThanNational } from './store-floors.js';
import type { StorePolicy } from './publishing-rules.js';

const SMS = 'android.permission.READ_SMS';
const CALLS = 'android.permission.READ_CALL_LOG';
const CAMERA = 'android.permission.CAMERA';
const NET = 'android.permission.INTERNET';
const LOCATION = 'android.permission.ACCESS_FINE_LOCATION';

const NATIONAL: StorePolicy = {
  permissionAllow: [NET, CAMERA, LOCATION],
  permissionDeny: [SMS, CALLS],
  minTargetSdk: 34,
  allowCleartext: false,
};
const ANY: StorePolicy = {
  permissionAllow: null,
  permissionDeny: [SMS],
  minTargetSdk: 30,
  allowCleartext: true,
};

describe('storePolicyWeakerThanNational', () => {
  it('accepts the national policy itself, and a stricter one', () => {
    expect(storePolicyWeakerThanNational(NATIONAL, NATIONAL)).toEqual([]);
    const stricter: StorePolicy = {
      permissionAllow: [NET],
      permissionDeny: [CALLS, SMS, CAMERA],
      minTargetSdk: 35,
      allowCleartext: false,
    };
    expect(storePolicyWeakerThanNational(stricter, NATIONAL)).toEqual([]);
  });

  it('names every weaker setting', () => {
    const weaker: StorePolicy = {
      permissionAllow: [NET, 'android.permission.SEND_SMS'],
      permissionDeny: [CALLS], // READ_SMS allowed again
      minTargetSdk: 33,
      allowCleartext: true,
    };
    expect(storePolicyWeakerThanNational(weaker, NATIONAL)).toEqual([
      'permissionDeny',
      'minTargetSdk',
      'allowCleartext',
      'permissionAllow',
    ]);
  });

  it('takes no allow list (any permission) under a national one as weaker', () => {
    expect(storePolicyWeakerThanNational({ ...NATIONAL, permissionAllow: null }, NATIONAL)).toEqual([
      'permissionAllow',
    ]);
  });

  it('takes an allow-list entry the institution also denies as no loosening (deny wins)', () => {
    // READ_SMS is outside the national allow list, but denied by both: neither policy accepts it.
    const own: StorePolicy = { ...NATIONAL, permissionAllow: [NET, CAMERA, LOCATION, SMS] };
    expect(storePolicyWeakerThanNational(own, NATIONAL)).toEqual([]);
    // Denied only by the national policy: the institution would accept it, so both settings are weaker.
    const loosened: StorePolicy = { ...own, permissionDeny: [CALLS] };
    expect(storePolicyWeakerThanNational(loosened, NATIONAL)).toEqual(['permissionDeny', 'permissionAllow']);
  });

  it('lets an institution set any allow list, and allow cleartext, where the national policy does', () => {
    const own: StorePolicy = {
      permissionAllow: [NET],
      permissionDeny: [SMS],
      minTargetSdk: 30,
      allowCleartext: true,
    };
    expect(storePolicyWeakerThanNational(own, ANY)).toEqual([]);
    expect(storePolicyWeakerThanNational({ ...own, permissionAllow: null }, ANY)).toEqual([]);
  });
});

describe('effectiveStorePolicy', () => {
  it('is the policy itself when it is as strict as the national one', () => {
    expect(effectiveStorePolicy(NATIONAL, NATIONAL)).toEqual(NATIONAL);
  });

  it('keeps the strictest of each setting (a national policy tightened after the institution stored its own)', () => {
    expect(effectiveStorePolicy(ANY, NATIONAL)).toEqual({
      permissionAllow: [NET, CAMERA, LOCATION], // no list of its own: the national list
      permissionDeny: [SMS, CALLS], // union
      minTargetSdk: 34, // the higher floor
      allowCleartext: false, // only if both allow
    });
    const own: StorePolicy = {
      permissionAllow: [LOCATION, 'android.permission.BLUETOOTH', NET],
      permissionDeny: [CAMERA],
      minTargetSdk: 35,
      allowCleartext: true,
    };
    expect(effectiveStorePolicy(own, NATIONAL)).toEqual({
      permissionAllow: [LOCATION, NET], // intersection
      permissionDeny: [CAMERA, SMS, CALLS],
      minTargetSdk: 35,
      allowCleartext: false,
    });
  });

  it('loosens nothing where the national policy is looser', () => {
    const own: StorePolicy = {
      permissionAllow: [NET],
      permissionDeny: [SMS, CAMERA],
      minTargetSdk: 35,
      allowCleartext: false,
    };
    expect(effectiveStorePolicy(own, ANY)).toEqual(own);
  });
});
