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
  networkSecurityConfig: 0x01010527,
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
> & {
  /**
   * <application android:networkSecurityConfig>: null when absent; else the archive paths of the XML file in
   * every configuration of the resource (a device may pick any), or `unresolved` when the reference does not
   * lead to a file we can name.
   */
  networkSecurityConfig: null | { files: string[] } | 'unresolved';
};

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

/**
 * A policy boolean (debuggable, usesCleartextTraffic) through a reference: the device resolves it in its own
 * configuration (a -v28 variant wins over the default on Android 9+), so a resource with any non-default
 * variant, like one we cannot resolve, counts as unresolved (null) and the caller assumes the worst.
 */
function resolvedPolicy(
  a: AxmlAttribute | undefined,
  resources: ResourceTable | undefined,
): Scalar | null | undefined {
  if (!a || a.value.dataType !== TYPE_REFERENCE) return resolved(a, resources);
  const all = resources?.resolveAll(a.value.data);
  if (!all || all.qualified || all.values.length !== 1) return null;
  return all.values[0] ?? null;
}

/** Permission names: through a reference, the value in every configuration (worst case: more permissions). */
function permissionNames(a: AxmlAttribute | undefined, resources: ResourceTable | undefined): string[] {
  if (!a) return [];
  if (a.value.dataType !== TYPE_REFERENCE) {
    const name = stringValue({ ...a.value, string: a.string });
    return name ? [name] : [];
  }
  const all = resources?.resolveAll(a.value.data);
  return (all?.values ?? []).flatMap((v) => (v.dataType === TYPE_STRING && v.string ? [v.string] : []));
}

/**
 * FrameworkParsingPackageUtils.validateName(name, requireSeparator = true, requireFilename = true), the rule
 * ParsingPackageUtils applies to <manifest package>: segments separated by '.', at least two, each a letter
 * followed by letters, digits or '_'.
 */
const PACKAGE_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;

/** A cap on <uses-permission*> elements read: real apps declare a few hundred at most. */
export const MAX_PERMISSIONS = 1_000;

const isInt = (v: ResValue): boolean => v.dataType >= TYPE_FIRST_INT && v.dataType <= TYPE_LAST_INT;

function intValue(v: Scalar | null | undefined): number | null {
  return v && isInt(v) ? v.data | 0 : null;
}

function stringValue(v: Scalar | null | undefined): string | null {
  return v && v.dataType === TYPE_STRING ? v.string : null;
}

/** The files a networkSecurityConfig reference names, in every configuration (see ManifestInfo). */
function configFiles(
  a: AxmlAttribute | undefined,
  resources: ResourceTable | undefined,
): ManifestInfo['networkSecurityConfig'] {
  if (!a) return null;
  if (a.value.dataType !== TYPE_REFERENCE) return 'unresolved';
  const all = resources?.resolveAll(a.value.data);
  const files = (all?.values ?? []).map((v) => (v.dataType === TYPE_STRING ? v.string : null));
  if (files.length === 0 || files.some((f) => !f)) return 'unresolved';
  return { files: [...new Set(files as string[])].sort() };
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
  // ParsingPackageUtils reads `package` with XmlResourceParser.getAttributeValue: the raw string (AxmlAttribute
  // .string), never a resource reference; aapt's getAttribute does the same.
  const pkg = root.attributes.find((a) => a.namespace === null && a.name === 'package');
  const packageName = pkg?.string ?? null;
  if (pkg && (packageName === null || !PACKAGE_NAME.test(packageName)))
    throw new ManifestError(
      'manifest_package_invalid',
      `package ${JSON.stringify(packageName)} is not a valid Android package name`,
    );
  const children = (name: string) => root.children.filter((c) => c.namespace === null && c.name === name);
  // ParsingPackageUtils lets each <uses-sdk> overwrite the last, aapt reads the first: refuse the ambiguity.
  const usesSdks = children('uses-sdk');
  if (usesSdks.length > 1)
    throw new ManifestError('manifest_duplicate_uses_sdk', `${usesSdks.length} <uses-sdk> elements`);
  const usesSdk = usesSdks[0];
  const application = children('application')[0];

  // PackageParser: <uses-permission>, and <uses-permission-sdk-23> (alias <uses-permission-sdk-m>).
  const permissionElements = ['uses-permission', 'uses-permission-sdk-23', 'uses-permission-sdk-m'].flatMap(
    children,
  );
  if (permissionElements.length > MAX_PERMISSIONS)
    throw new ManifestError(
      'manifest_too_many_permissions',
      `${permissionElements.length} <uses-permission> elements, more than ${MAX_PERMISSIONS}`,
    );
  const permissions = new Set<string>();
  for (const element of permissionElements)
    for (const name of permissionNames(attr(element, ATTR.name), resources)) permissions.add(name);

  return {
    package: packageName,
    versionCode: intValue(resolved(attr(root, ATTR.versionCode), resources)),
    versionName: stringValue(resolved(attr(root, ATTR.versionName), resources)),
    minSdk: intValue(resolved(attr(usesSdk, ATTR.minSdkVersion), resources)),
    targetSdk: intValue(resolved(attr(usesSdk, ATTR.targetSdkVersion), resources)),
    permissions: [...permissions].sort(),
    debuggable: boolValue(resolvedPolicy(attr(application, ATTR.debuggable), resources), false, true) ?? true,
    usesCleartextTraffic: boolValue(
      resolvedPolicy(attr(application, ATTR.usesCleartextTraffic), resources),
      null,
      true,
    ),
    networkSecurityConfig: configFiles(attr(application, ATTR.networkSecurityConfig), resources),
  };
}
