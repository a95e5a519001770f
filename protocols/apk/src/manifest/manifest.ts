import type { ApkInspection } from '../inspection.js';
import type { ResourceTable } from './arsc.js';
import { parseAxml, type AxmlAttribute, type AxmlElement, type AxmlLimits } from './axml.js';
import { ManifestError } from './manifest-error.js';
import { TYPE_FIRST_INT, TYPE_LAST_INT, TYPE_REFERENCE, TYPE_STRING, type ResValue } from './res-chunk.js';

/*
 * What the app store needs from AndroidManifest.xml, read the way the platform and `aapt dump badging` read
 * it: framework attributes by resource id (the android: prefix and even the name string are not trusted —
 * PackageParser obtains them through R.styleable.AndroidManifest*, i.e. by id), `package` by name in no
 * namespace, and only the elements directly under <manifest> (PackageParser.parseBaseApkCommon).
 */

/** frameworks/base core/res/res/values/public.xml (android.R.attr). */
export const ATTR = {
  name: 0x01010003,
  debuggable: 0x0101000f,
  minSdkVersion: 0x0101020c,
  versionCode: 0x0101021b,
  versionName: 0x0101021c,
  targetSdkVersion: 0x01010270,
  usesCleartextTraffic: 0x010104ec,
} as const;

export type ManifestInfo = Pick<
  ApkInspection,
  | 'package'
  | 'versionCode'
  | 'versionName'
  | 'minSdk'
  | 'targetSdk'
  | 'permissions'
  | 'debuggable'
  | 'usesCleartextTraffic'
>;

type Scalar = { dataType: number; data: number; string: string | null };

function attr(element: AxmlElement | undefined, id: number): AxmlAttribute | undefined {
  return element?.attributes.find((a) => a.resourceId === id);
}

/** A reference resolved through resources.arsc (default configuration); the value itself otherwise. */
function resolved(
  a: AxmlAttribute | undefined,
  resources: ResourceTable | undefined,
): Scalar | null | undefined {
  if (!a) return undefined;
  if (a.value.dataType !== TYPE_REFERENCE) return { ...a.value, string: a.string };
  return resources?.resolve(a.value.data) ?? null;
}

const isInt = (v: ResValue): boolean => v.dataType >= TYPE_FIRST_INT && v.dataType <= TYPE_LAST_INT;

function intValue(v: Scalar | null | undefined): number | null {
  return v && isInt(v) ? v.data | 0 : null;
}

function stringValue(v: Scalar | null | undefined): string | null {
  return v && v.dataType === TYPE_STRING ? v.string : null;
}

/**
 * A boolean attribute: absent → `absent`; an integer or boolean → non-zero; anything we cannot resolve (a
 * reference missing from the table) → `unresolved`, which the caller picks on the side of caution.
 */
function boolValue(
  v: Scalar | null | undefined,
  absent: boolean | null,
  unresolved: boolean,
): boolean | null {
  if (v === undefined) return absent;
  if (v === null || !isInt(v)) return unresolved;
  return v.data !== 0;
}

/**
 * Parses a binary AndroidManifest.xml. `resources` (parseResourceTable of resources.arsc) resolves references;
 * without it a referenced versionName is null, a referenced debuggable counts as true and a referenced
 * usesCleartextTraffic as true — what we cannot prove off is treated as on.
 */
export function parseManifest(
  bytes: Uint8Array,
  resources?: ResourceTable,
  limits?: Partial<AxmlLimits>,
): ManifestInfo {
  const root = parseAxml(bytes, limits);
  if (root.name !== 'manifest' || root.namespace !== null)
    throw new ManifestError('manifest_invalid', `the root element is <${root.name}>, not <manifest>`);
  const pkg = root.attributes.find((a) => a.namespace === null && a.name === 'package');
  const children = (name: string) => root.children.filter((c) => c.namespace === null && c.name === name);
  const usesSdk = children('uses-sdk')[0];
  const application = children('application')[0];

  // PackageParser: <uses-permission>, and <uses-permission-sdk-23> (alias <uses-permission-sdk-m>).
  const permissions = new Set<string>();
  for (const tag of ['uses-permission', 'uses-permission-sdk-23', 'uses-permission-sdk-m']) {
    for (const element of children(tag)) {
      const name = stringValue(resolved(attr(element, ATTR.name), resources));
      if (name) permissions.add(name);
    }
  }

  return {
    package: pkg ? stringValue(resolved(pkg, resources)) : null,
    versionCode: intValue(resolved(attr(root, ATTR.versionCode), resources)),
    versionName: stringValue(resolved(attr(root, ATTR.versionName), resources)),
    minSdk: intValue(resolved(attr(usesSdk, ATTR.minSdkVersion), resources)),
    targetSdk: intValue(resolved(attr(usesSdk, ATTR.targetSdkVersion), resources)),
    permissions: [...permissions].sort(),
    debuggable: boolValue(resolved(attr(application, ATTR.debuggable), resources), false, true) ?? true,
    usesCleartextTraffic: boolValue(
      resolved(attr(application, ATTR.usesCleartextTraffic), resources),
      null,
      true,
    ),
  };
}
