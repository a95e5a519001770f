/** Every way the manifest and resource table readers refuse their input. Stable: the app store reports these. */
export type ManifestErrorCode =
  /** No AndroidManifest.xml entry in the archive. */
  | 'manifest_missing'
  /** Not a binary XML document, or a chunk that does not fit its container. */
  | 'axml_malformed'
  /** A cap (chunks, strings, nesting, size) exceeded. */
  | 'axml_limit'
  /**
   * A second string pool or resource map, or one after the first XML node: Android (ResXMLTree::setTo) reads
   * them only before the first node, so a later one would make us see attributes the platform does not.
   */
  | 'axml_header_misplaced'
  /** An attribute whose raw string (what Android's XmlBlock.Parser.getAttributeValue returns) and typed string differ. */
  | 'axml_attribute_mismatch'
  /** Well-formed binary XML, but not an Android manifest (root element, package). */
  | 'manifest_invalid'
  /** `package` is not a valid Android package name (two or more segments, each [A-Za-z][A-Za-z0-9_]*). */
  | 'manifest_package_invalid'
  /** More than one <uses-sdk>: the platform reads the last, older readers the first; we accept neither. */
  | 'manifest_duplicate_uses_sdk'
  /** More <uses-permission> elements than we read (a cap on work, far above any real app). */
  | 'manifest_too_many_permissions'
  /** A network security config Android would refuse to load (XmlConfigSource's ParserException cases). */
  | 'nsc_invalid'
  /** resources.arsc is not a resource table we can read. */
  | 'arsc_malformed'
  /** A cap (chunks, strings, resolutions, entry lookups) exceeded. */
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
