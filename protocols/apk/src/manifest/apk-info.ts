import type { ApkInspection } from '../inspection.js';
import type { ZipArchive } from '../zip/zip-archive.js';
import { ZipError } from '../zip/zip-error.js';
import { parseResourceTable, type ResourceTable } from './arsc.js';
import { parseManifest, type ManifestInfo } from './manifest.js';
import { ManifestError } from './manifest-error.js';
import {
  cleartextVerdict,
  parseNetworkSecurityConfig,
  type NetworkSecurityConfig,
} from './network-security-config.js';

export type ApkInfo = Omit<ManifestInfo, 'networkSecurityConfig'> &
  Pick<ApkInspection, 'nativeAbis' | 'cleartextTraffic'>;

export type ApkInfoLimits = {
  /** Bytes of AndroidManifest.xml, uncompressed. */
  maxManifestSize: number;
  /** Bytes of resources.arsc, uncompressed; read only when the manifest references a resource. */
  maxResourcesSize: number;
};

export const DEFAULT_APK_INFO_LIMITS: ApkInfoLimits = {
  maxManifestSize: 4 * 1024 * 1024,
  maxResourcesSize: 64 * 1024 * 1024,
};

const MANIFEST = 'AndroidManifest.xml';
const RESOURCES = 'resources.arsc';

/**
 * ABIs with native code: entries lib/<abi>/<file> (where PackageManager's NativeLibraryHelper looks for
 * libraries to extract), sorted.
 */
export function nativeAbis(archive: ZipArchive): string[] {
  const abis = new Set<string>();
  for (const { name } of archive.entries) {
    const parts = name.split('/');
    if (parts.length >= 3 && parts[0] === 'lib' && parts[1] && parts.at(-1)) abis.add(parts[1]);
  }
  return [...abis].sort();
}

/** The manifest-derived fields of ApkInspection, from an opened archive. */
export async function readApkInfo(
  archive: ZipArchive,
  limits: Partial<ApkInfoLimits> = {},
): Promise<ApkInfo> {
  const lim = { ...DEFAULT_APK_INFO_LIMITS, ...limits };
  if (!archive.entry(MANIFEST)) throw new ManifestError('manifest_missing', `no ${MANIFEST} in the archive`);
  const manifest = await archive.readEntry(MANIFEST, lim.maxManifestSize);
  // resources.arsc can be large: read it only when a field we report is a reference into it.
  let referenced = false;
  const probe: ResourceTable = {
    resolve: () => {
      referenced = true;
      return null;
    },
    resolveAll: () => {
      referenced = true;
      return { values: [], qualified: true };
    },
  };
  let info = parseManifest(manifest, probe);
  if (referenced && archive.entry(RESOURCES)) {
    const table = parseResourceTable(await archive.readEntry(RESOURCES, lim.maxResourcesSize));
    info = parseManifest(manifest, table);
  }
  const { networkSecurityConfig: _nsc, ...manifestInfo } = info;
  return {
    ...manifestInfo,
    cleartextTraffic: await cleartextOf(archive, info, lim.maxManifestSize),
    nativeAbis: nativeAbis(archive),
  };
}

/**
 * ApkInspection.cleartextTraffic. The network security config files are read with the manifest's size cap;
 * one that is missing, unreadable or that Android would refuse makes the verdict "permitted" (what we
 * cannot prove off is treated as on).
 */
async function cleartextOf(
  archive: ZipArchive,
  info: ManifestInfo,
  maxSize: number,
): Promise<ApkInspection['cleartextTraffic']> {
  const ref = info.networkSecurityConfig;
  if (ref === null) return cleartextVerdict(null, info.usesCleartextTraffic, info.targetSdk);
  const unreadable: ApkInspection['cleartextTraffic'] = {
    permitted: true,
    domains: [],
    decidedBy: 'network-security-config',
  };
  if (ref === 'unresolved' || ref.files.some((f) => !archive.entry(f))) return unreadable;
  const configs: NetworkSecurityConfig[] = [];
  try {
    for (const file of ref.files)
      configs.push(parseNetworkSecurityConfig(await archive.readEntry(file, maxSize)));
  } catch (err) {
    if (err instanceof ManifestError || err instanceof ZipError) return unreadable;
    throw err;
  }
  return cleartextVerdict(configs, info.usesCleartextTraffic, info.targetSdk);
}
