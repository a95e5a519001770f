/** Every way the manifest and resource table readers refuse their input. Stable: the app store reports these. */
export type ManifestErrorCode =
  /** No AndroidManifest.xml entry in the archive. */
  | 'manifest_missing'
  /** Not a binary XML document, or a chunk that does not fit its container. */
  | 'axml_malformed'
  /** A cap (chunks, strings, nesting, size) exceeded. */
  | 'axml_limit'
  /** Well-formed binary XML, but not an Android manifest (root element, package). */
  | 'manifest_invalid'
  /** resources.arsc is not a resource table we can read. */
  | 'arsc_malformed'
  | 'arsc_limit';

export class ManifestError extends Error {
  constructor(
    readonly code: ManifestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ManifestError';
  }
}
