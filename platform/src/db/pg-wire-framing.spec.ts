import { describe, expect, it } from 'vitest';
import { FrontendFramer, MAX_MESSAGE_BYTES, WireProtocolError } from './pg-wire-framing.js';

/** A StartupMessage as PostgreSQL's protocol documentation lays it out (protocol 3.0 = 196608). */
function startup(params: Record<string, string>): Buffer {
  const body = Buffer.concat([
    ...Object.entries(params).flatMap(([k, v]) => [Buffer.from(`${k}\0`), Buffer.from(`${v}\0`)]),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(196_608, 4);
  return Buffer.concat([head, body]);
}

function typed(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

const query = (sql: string) => typed('Q', Buffer.from(`${sql}\0`));

describe('FrontendFramer', () => {
  it('passes the startup message, then typed messages, whole and in order', () => {
    const f = new FrontendFramer();
    const start = startup({ user: 'postgres', database: 'postgres' });
    expect(f.push(start)).toEqual([{ kind: 'startup', bytes: start }]);
    const q1 = query('select 1');
    const sync = typed('S');
    const frames = f.push(Buffer.concat([q1, sync]));
    expect(frames).toEqual([
      { kind: 'message', type: 0x51, bytes: q1 },
      { kind: 'message', type: 0x53, bytes: sync },
    ]);
  });

  it('reassembles messages split across chunks at any byte', () => {
    const stream = Buffer.concat([startup({ user: 'postgres' }), query('select 42'), typed('S'), typed('X')]);
    for (let cut = 1; cut < stream.length; cut++) {
      const f = new FrontendFramer();
      const frames = [...f.push(stream.subarray(0, cut)), ...f.push(stream.subarray(cut))];
      expect(frames.map((x) => x.kind)).toEqual(['startup', 'message', 'message', 'terminate']);
    }
  });

  it('answers SSLRequest and GSSENCRequest before startup, and recognises CancelRequest', () => {
    const ssl = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]); // 80877103
    const gss = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30]); // 80877104
    const cancel = Buffer.concat([Buffer.from([0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e]), Buffer.alloc(8)]);
    expect(new FrontendFramer().push(Buffer.concat([ssl, gss])).map((x) => x.kind)).toEqual([
      'encryption-request',
      'encryption-request',
    ]);
    expect(new FrontendFramer().push(cancel).map((x) => x.kind)).toEqual(['cancel']);
  });

  it('refuses other protocol versions and absurd lengths instead of buffering them', () => {
    const v2 = Buffer.from([0, 0, 0, 8, 0, 2, 0, 0]);
    expect(() => new FrontendFramer().push(v2)).toThrow(WireProtocolError);
    const f = new FrontendFramer();
    f.push(startup({ user: 'postgres' }));
    const huge = Buffer.alloc(5);
    huge.write('Q', 0, 'latin1');
    huge.writeInt32BE(MAX_MESSAGE_BYTES + 1, 1);
    expect(() => f.push(huge)).toThrow(/at most/);
    const g = new FrontendFramer();
    g.push(startup({ user: 'postgres' }));
    expect(() => g.push(Buffer.from([0x51, 0xff, 0xff, 0xff, 0xff]))).toThrow(WireProtocolError);
  });
});
