import { CsvFormatError } from '@pakawaaz/platform/csv';
import { describe, expect, it } from 'vitest';
import { mapOfficialHeader, parseOfficialBlock } from './official-csv.js';
import { validateOfficial } from './official-record.js';

const block = (text: string, firstLine = 2, fromLine = 0) =>
  parseOfficialBlock({
    bytes: Buffer.from(text),
    firstLine,
    fromLine,
    columns: mapOfficialHeader([
      'Username',
      'Full Name',
      'designation',
      'Ministry',
      'E-Mail',
      'phone',
      'IMSI',
    ]),
  });

describe('officials CSV', () => {
  it('maps header aliases and names what a header lacks', () => {
    expect(mapOfficialHeader(['user', 'name', 'institution'])).toEqual({
      username: 0,
      displayName: 1,
      institution: 2,
    });
    expect(() => mapOfficialHeader(['username', 'email'])).toThrow(CsvFormatError);
    expect(() => mapOfficialHeader(['username', 'email'])).toThrow('lacks: name, institution');
  });

  it('parses good rows and reports each bad line with its number, never stopping', () => {
    const r = block(
      [
        'Ayesha.Khan,"Khan, Ayesha",Joint Secretary,Ministry of Interior,ayesha@gov.example,+92 51 9201234,410010000000001',
        '',
        '# a comment',
        'bilal,Bilal,,Ministry of Interior,,,',
        'x,Too Short,,Ministry of Interior,,,',
        'c,"open,,,,,',
        'dana,Dana,,Ministry of Interior,,,12345',
        'eve,Eve,,Ministry of Interior,,not a phone,',
        'fay,Fay,,,,,',
      ].join('\n'),
    );
    expect(r.rows).toEqual([
      {
        line: 2,
        username: 'ayesha.khan',
        displayName: 'Khan, Ayesha',
        designation: 'Joint Secretary',
        institution: 'Ministry of Interior',
        email: 'ayesha@gov.example',
        phone: '+92 51 9201234',
        imsi: '410010000000001',
      },
      {
        line: 5,
        username: 'bilal',
        displayName: 'Bilal',
        designation: null,
        institution: 'Ministry of Interior',
        email: null,
        phone: null,
        imsi: null,
      },
    ]);
    expect(r.problems.map((p) => [p.line, p.reason])).toEqual([
      [6, 'username must be 2 to 64 characters'],
      [7, 'a quoted field is not closed on its line'],
      [8, 'IMSI must be 15 digits'],
      [9, 'phone is not a phone number'],
      [10, 'institution is empty (give its id or name)'],
    ]);
    const bytes = Buffer.concat([
      Buffer.from('ok,Ok,,I,,,\n'),
      Buffer.from([0x67, 0xff, 0x2c, 0x0a]),
      Buffer.from('n\x01,N,,I,,,'),
    ]);
    const raw = parseOfficialBlock({
      bytes,
      firstLine: 2,
      fromLine: 0,
      columns: mapOfficialHeader(['username', 'name', 'd', 'institution']),
    });
    expect(raw.problems).toEqual([
      { line: 3, reason: 'the line is not valid UTF-8' },
      { line: 4, reason: 'the line contains a control character (0x01)' },
    ]);
  });

  it('skips lines a resumed job committed already', () => {
    const r = block('aa,A,,I,,,\nbb,B,,I,,,\ncc,C,,I,,,', 10, 12);
    expect(r.rows.map((x) => [x.line, x.username])).toEqual([[12, 'cc']]);
  });

  it('validates a record as the users API does', () => {
    expect(validateOfficial({ username: 'ok', displayName: 'Ok', institution: 'I', email: 'a@b' })).toEqual({
      reason: 'email is not an address',
    });
    expect(validateOfficial({ username: 'ok', displayName: ' ', institution: 'I' })).toEqual({
      reason: 'name is empty',
    });
    expect(validateOfficial({ username: 'Ok.Name', displayName: 'Ok', institution: 'I' })).toMatchObject({
      username: 'ok.name',
    });
  });
});
