import { ManifestError } from './manifest-error.js';
import {
  readChunk,
  readResValue,
  RES_STRING_POOL_TYPE,
  RES_XML_CDATA_TYPE,
  RES_XML_END_ELEMENT_TYPE,
  RES_XML_RESOURCE_MAP_TYPE,
  RES_XML_START_ELEMENT_TYPE,
  RES_XML_TYPE,
  StringPool,
  TYPE_STRING,
  type ResValue,
} from './res-chunk.js';

/*
 * Android's binary XML (what aapt/aapt2 compile AndroidManifest.xml into): a RES_XML_TYPE chunk holding a
 * string pool, a resource map (the resource id of each attribute name, by string index) and a flat sequence of
 * namespace / element / CDATA nodes (ResourceTypes.h ResXMLTree_node, ResXMLTree_attrExt,
 * ResXMLTree_attribute; parsed in ResourceTypes.cpp ResXMLTree::setTo and ResXMLParser::next). Unknown chunk
 * types are skipped, as ResXMLParser does.
 */

export type AxmlLimits = {
  maxChunks: number;
  maxStrings: number;
  maxDepth: number;
  maxAttributes: number;
  /** Characters of one element's text: a string referenced by many text nodes must not add up unbounded. */
  maxText: number;
};

export const DEFAULT_AXML_LIMITS: AxmlLimits = {
  maxChunks: 200_000,
  maxStrings: 200_000,
  maxDepth: 64,
  maxAttributes: 1_000,
  maxText: 64 * 1024,
};

export type AxmlAttribute = {
  /** The namespace URI, null for none (`package`). */
  namespace: string | null;
  name: string;
  /** From the resource map: how Android identifies framework attributes (0x0101021b is versionCode). */
  resourceId: number | null;
  value: ResValue;
  /**
   * The value as a string: the raw string (ResXMLTree_attribute::rawValue) when there is one, else the typed
   * value when it is TYPE_STRING, else null. This is what Android's XmlBlock.Parser.getAttributeValue
   * (ResXMLParser::getAttributeStringValue) and aapt's getAttribute return.
   */
  string: string | null;
};

export type AxmlElement = {
  namespace: string | null;
  name: string;
  attributes: AxmlAttribute[];
  children: AxmlElement[];
  /**
   * The element's character data (RES_XML_CDATA_TYPE nodes directly inside it, concatenated), as
   * XmlPullParser.getText returns it; absent when there is none. Manifests carry none; a network security
   * config's <domain> does.
   */
  text?: string;
};

const NO_INDEX = 0xffffffff;
const NODE_HEADER = 16; // ResXMLTree_node: header, lineNumber, comment
const ATTR_EXT = 20; // ResXMLTree_attrExt
const ATTRIBUTE_SIZE = 20; // ResXMLTree_attribute
const CDATA_EXT = 12; // ResXMLTree_cdataExt: data (ResStringPool_ref), typedData (Res_value)

function limit(message: string): never {
  throw new ManifestError('axml_limit', message);
}
function malformed(message: string): never {
  throw new ManifestError('axml_malformed', message);
}
function misplaced(message: string): never {
  throw new ManifestError('axml_header_misplaced', message);
}

// ResourceTypes.h: the node chunk types, RES_XML_FIRST_CHUNK_TYPE..RES_XML_LAST_CHUNK_TYPE.
const isNode = (type: number) => type >= 0x0100 && type <= 0x017f;

/** The document's root element, with its subtree. */
export function parseAxml(bytes: Uint8Array, limits: Partial<AxmlLimits> = {}): AxmlElement {
  const lim = { ...DEFAULT_AXML_LIMITS, ...limits };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const doc = readChunk(buf, 0, buf.length, 'axml_malformed');
  if (doc.type !== RES_XML_TYPE) malformed(`not binary XML (chunk type 0x${doc.type.toString(16)})`);
  const end = doc.size;

  let pool: StringPool | undefined;
  let resourceMap: number[] | undefined;
  let nodes = false;
  let root: AxmlElement | undefined;
  const stack: AxmlElement[] = [];
  const str = (index: number): string | null => {
    if (index === NO_INDEX) return null;
    if (!pool) malformed('a node before the string pool');
    return pool.get(index);
  };

  let chunks = 0;
  for (let pos = doc.headerSize; pos < end;) {
    if (++chunks > lim.maxChunks) limit(`more than ${lim.maxChunks} chunks`);
    const chunk = readChunk(buf, pos, end, 'axml_malformed');
    // ResXMLTree::setTo reads the string pool and resource map only until the first node (a later one wins
    // before it; ResXMLParser::nextNode skips any after it): we accept exactly one of each, before the nodes.
    if (isNode(chunk.type)) nodes = true;
    switch (chunk.type) {
      case RES_STRING_POOL_TYPE:
        if (pool) misplaced('a second string pool');
        if (nodes) misplaced('a string pool after the first node');
        pool = new StringPool(buf, chunk, lim.maxStrings, 'axml_malformed');
        break;
      case RES_XML_RESOURCE_MAP_TYPE: {
        if (resourceMap) misplaced('a second resource map');
        if (nodes) misplaced('a resource map after the first node');
        const count = Math.floor((chunk.size - chunk.headerSize) / 4);
        if (count > lim.maxStrings) limit(`a resource map of ${count} ids`);
        resourceMap = Array.from({ length: count }, (_, i) =>
          buf.readUInt32LE(pos + chunk.headerSize + i * 4),
        );
        break;
      }
      case RES_XML_START_ELEMENT_TYPE: {
        if (chunk.headerSize < NODE_HEADER || chunk.headerSize + ATTR_EXT > chunk.size)
          malformed('a start element too short for its header');
        const ext = pos + chunk.headerSize;
        const attributeStart = buf.readUInt16LE(ext + 8);
        const attributeSize = buf.readUInt16LE(ext + 10);
        const attributeCount = buf.readUInt16LE(ext + 12);
        if (attributeCount > lim.maxAttributes) limit(`an element with ${attributeCount} attributes`);
        if (attributeCount > 0 && attributeSize < ATTRIBUTE_SIZE)
          malformed('attributes smaller than their struct');
        if (ext + attributeStart + attributeCount * attributeSize > pos + chunk.size)
          malformed('attributes run past their element');
        const element: AxmlElement = {
          namespace: str(buf.readUInt32LE(ext)),
          name: str(buf.readUInt32LE(ext + 4)) ?? malformed('an element without a name'),
          attributes: [],
          children: [],
        };
        for (let i = 0; i < attributeCount; i++) {
          const a = ext + attributeStart + i * attributeSize;
          const nameIndex = buf.readUInt32LE(a + 4);
          const name = str(nameIndex) ?? malformed('an attribute without a name');
          const raw = str(buf.readUInt32LE(a + 8));
          const value = readResValue(buf, a + 12);
          const typed = value.dataType === TYPE_STRING ? str(value.data) : null;
          // Android reads some attributes (`package`) as the raw string, others (versionName) as the typed
          // value: two different strings would let the store and the device disagree.
          if (raw !== null && typed !== null && raw !== typed)
            throw new ManifestError(
              'axml_attribute_mismatch',
              `attribute ${name}: raw value ${JSON.stringify(raw)}, typed value ${JSON.stringify(typed)}`,
            );
          element.attributes.push({
            namespace: str(buf.readUInt32LE(a)),
            name,
            resourceId: resourceMap?.[nameIndex] ?? null,
            value,
            string: raw ?? typed,
          });
        }
        const parent = stack.at(-1);
        if (parent) parent.children.push(element);
        else if (root) malformed('a second root element');
        else root = element;
        if (stack.length >= lim.maxDepth) limit(`elements nested deeper than ${lim.maxDepth}`);
        stack.push(element);
        break;
      }
      case RES_XML_END_ELEMENT_TYPE:
        if (!stack.pop()) malformed('an end element without its start');
        break;
      case RES_XML_CDATA_TYPE: {
        // ResXMLTree_cdataExt: the text as a string pool reference, then a typed value we do not need.
        if (chunk.headerSize < NODE_HEADER || chunk.headerSize + CDATA_EXT > chunk.size)
          malformed('a text node too short for its header');
        const text = str(buf.readUInt32LE(pos + chunk.headerSize)) ?? '';
        const parent = stack.at(-1);
        if (parent) {
          if ((parent.text?.length ?? 0) + text.length > lim.maxText)
            limit(`text of <${parent.name}> longer than ${lim.maxText} characters`);
          parent.text = (parent.text ?? '') + text;
        }
        break;
      }
      default:
        // Namespaces and chunk types we do not know: nothing we need (ResXMLParser skips the unknown).
        break;
    }
    pos += chunk.size;
  }
  if (!root) malformed('no root element');
  return root;
}
