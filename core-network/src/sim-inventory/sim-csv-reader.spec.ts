import { describe, expect, it } from 'vitest';
import { SimCsvError, splitCsvLine } from './sim-csv.js';
import { BLOCK_ROWS, SimCsvReader, SimImportLimitError, type SimCsvBlock } from './sim-csv-reader.js';

const limits = { maxBytes: 1_000_000, maxRows: 5_000, maxLineBytes: 200 };
const row = (i: number) => `00101${String(i).padStart(10, '0')},89920010000000000${i % 10},k,o`;

function readAll(text: string, chunk: number, l = limits): { reader: SimCsvReader; blocks: SimCsvBlock[] } {
  const reader = new SimCsvReader(l);
  const bytes = Buffer.from(text);
  const blocks: SimCsvBlock[] = [];
  for (let i = 0; i < bytes.length; i += chunk) blocks.push(...reader.push(bytes.subarray(i, i + chunk)));
  blocks.push(...reader.end());
  return { reader, blocks };
}

describe('splitCsvLine (RFC 4180 quoting, one line per record)', () => {
  it('splits plain and quoted fields, with commas and doubled quotes inside quotes', () => {
    expect(splitCsvLine('a,b,,d')).toEqual(['a', 'b', '', 'd']);
    expect(splitCsvLine('"a,1","say ""hi""",c')).toEqual(['a,1', 'say "hi"', 'c']);
    expect(splitCsvLine('"",x')).toEqual(['', 'x']);
    expect(splitCsvLine(' "a" ,b')).toEqual(['a', 'b']);
  });

  it('names a stray or unclosed quote', () => {
    const reason = (line: string) => (splitCsvLine(line) as { reason: string }).reason;
    expect(reason('ab"c,d')).toContain('stray quote in an unquoted field');
    expect(reason('"ab"c,d')).toContain('text follows a closing quote');
    expect(splitCsvLine('"abc,d')).toEqual({ reason: 'a quoted field is not closed on its line' });
  });
});

describe('SimCsvReader', () => {
  const text = [
    '\ufeffimsi,iccid,ki,opc',
    ...Array.from({ length: 2_500 }, (_, i) => row(i)),
    '',
    '# end',
  ].join('\r\n');

  it('cuts the file into blocks of whole lines with their line numbers, whatever the chunk size', () => {
    for (const chunk of [1, 7, 4096, 1 << 20]) {
      const { reader, blocks } = readAll(text, chunk);
      expect(reader.rows).toBe(2_500);
      expect(reader.header?.mapped.columns).toMatchObject({ imsi: 0, iccid: 1, k: 2, opc: 3 });
      expect(blocks.map((b) => [b.seq, b.firstLine, b.lastLine])).toEqual([
        [0, 2, 1 + BLOCK_ROWS],
        [1, 2 + BLOCK_ROWS, 1 + 2 * BLOCK_ROWS],
        [2, 2 + 2 * BLOCK_ROWS, 2_503],
      ]);
      // Every byte after the header is in exactly one block, in order.
      const body = Buffer.concat(blocks.map((b) => b.bytes)).toString();
      expect(body).toBe(`${text.slice(text.indexOf('\r\n') + 2)}\n`);
    }
  });

  it('refuses as soon as a limit is crossed, naming it', () => {
    const tooMany = () => readAll(text, 4096, { ...limits, maxRows: 1_500 });
    expect(tooMany).toThrow(SimImportLimitError);
    expect(tooMany).toThrow(/more than 1500 SIM rows \(SIM_IMPORT_MAX_ROWS\)/);
    expect(() => readAll(text, 4096, { ...limits, maxBytes: 10_000 })).toThrow(/larger than 10000 bytes/);
    const reader = new SimCsvReader(limits);
    reader.push(Buffer.from('imsi,iccid,ki,opc\n'));
    // No line break in sight: refused before the line ends, not after buffering it.
    expect(() => reader.push(Buffer.alloc(202, 0x61))).toThrow(/Line 2 is longer than 200 bytes/);
  });

  it('checks the header as soon as it is complete, and wants at least one row', () => {
    const reader = new SimCsvReader(limits);
    expect(() => reader.push(Buffer.from('# vendor export\nname,phone\n'))).toThrow(/header row lacks: imsi/);
    expect(() => readAll('imsi,iccid,ki,opc\n\n', 16)).toThrow(SimCsvError);
    expect(() => readAll('', 16)).toThrow(/empty/);
  });
});
