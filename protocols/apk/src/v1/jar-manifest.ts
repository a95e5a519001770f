/*
 * The JAR manifest format (META-INF/MANIFEST.MF and the *.SF signature files; JAR File Specification,
 * "Manifest Specification"), read the way apksig's ManifestParser reads it: lines end with CRLF, LF or CR; a
 * line starting with one space continues the previous one; an empty line ends a section. Every section keeps
 * its byte range, because signature files sign manifest sections byte for byte.
 */

export type JarSection = {
  /** Byte offset of the section's first line, and its length including the empty line that ends it. */
  start: number;
  size: number;
  /** The `Name` attribute; null for the main section (or an unnamed section, which is an error). */
  name: string | null;
  attributes: { name: string; value: string }[];
};

/** Attribute names are case-insensitive (java.util.jar.Attributes.Name); the first occurrence wins. */
export function attribute(section: JarSection, name: string): string | null {
  const lower = name.toLowerCase();
  return section.attributes.find((a) => a.name.toLowerCase() === lower)?.value ?? null;
}

const utf8 = new TextDecoder('utf-8');

/** All sections: the main section first (possibly empty), then the individual ones. */
export function parseJarManifest(bytes: Uint8Array): { main: JarSection; sections: JarSection[] } {
  let pos = 0;
  const readLine = (): string | null => {
    if (pos >= bytes.length) return null;
    const start = pos;
    while (pos < bytes.length && bytes[pos] !== 0x0a && bytes[pos] !== 0x0d) pos++;
    const line = utf8.decode(bytes.subarray(start, pos));
    if (pos < bytes.length) {
      if (bytes[pos] === 0x0d && bytes[pos + 1] === 0x0a) pos += 2;
      else pos += 1;
    }
    return line;
  };
  /** One attribute with its continuation lines; '' for an empty line, null at the end. */
  const readAttribute = (): string | null => {
    let line = readLine();
    if (line === null || line === '') return line;
    while (pos < bytes.length && bytes[pos] === 0x20) {
      const more = readLine() ?? '';
      line += more.slice(1);
    }
    return line;
  };
  const readSection = (main: boolean): JarSection | null => {
    let start = pos;
    let line = readAttribute();
    // Empty lines between sections belong to no section.
    while (!main && line === '') {
      start = pos;
      line = readAttribute();
    }
    if (line === null && !main) return null;
    const attributes: JarSection['attributes'] = [];
    while (line !== null && line !== '') {
      const colon = line.indexOf(':');
      if (colon >= 0)
        attributes.push({ name: line.slice(0, colon), value: line.slice(colon + 1).replace(/^ /, '') });
      else attributes.push({ name: line, value: '' });
      line = readAttribute();
    }
    const section: JarSection = { start, size: pos - start, name: null, attributes };
    section.name = main ? null : attribute(section, 'Name');
    return section;
  };
  const main = readSection(true) ?? { start: 0, size: 0, name: null, attributes: [] };
  const sections: JarSection[] = [];
  for (let s = readSection(false); s; s = readSection(false)) sections.push(s);
  return { main, sections };
}
