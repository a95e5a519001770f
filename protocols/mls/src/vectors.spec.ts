import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MlsInputError } from './errors.js';
import { readGroupInfo } from './group-info.js';
import { readKeyPackage } from './key-package.js';
import { decodeMessage, readMessage } from './message.js';
import { readWelcome } from './welcome.js';

/*
 * The MLS working group's interop vectors (mlswg/mls-implementations test-vectors/messages.json, first entry):
 * encodings made by other implementations. The expected fields are read off the RFC 9420 structures by hand
 * (comments), not from our output. That entry uses cipher suite 1 (X25519/Ed25519) and basic credentials,
 * which secure chat refuses — the refusals are part of what is tested.
 */
const vector = (
  JSON.parse(readFileSync(new URL('../test-vectors/messages-0.json', import.meta.url), 'utf8')) as {
    vector: Record<string, string>;
  }
).vector;
const bytes = (name: string) => new Uint8Array(Buffer.from(vector[name]!, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const GROUP = '57f89bad9b38b906d15100f720422e90'; // opaque group_id<V>: 0x10 then 16 bytes

async function code(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(MlsInputError);
    return (err as MlsInputError).code;
  }
  throw new Error('expected a refusal');
}

describe('readMessage on the interop vectors', () => {
  it('reads a PublicMessage application: group, epoch 1, member sender leaf 0', () => {
    // 0001 mls10 · 0001 public_message · group_id · epoch 0000000000000001 · 01 member · 00000000 leaf 0 ·
    // 03 "aad" · 01 application
    const facts = readMessage(bytes('public_message_application'));
    expect({ ...facts, groupId: hex(facts.groupId) }).toEqual({
      wireformat: 'public_message',
      groupId: GROUP,
      epoch: 1n,
      contentType: 'application',
      sender: { type: 'member', leafIndex: 0 },
    });
  });

  it('reads a PublicMessage commit of epoch 0', () => {
    const facts = readMessage(bytes('public_message_commit'));
    expect([hex(facts.groupId), facts.epoch, facts.contentType, facts.sender]).toEqual([
      GROUP,
      0n,
      'commit',
      { type: 'member', leafIndex: 0 },
    ]);
  });

  it('reads a PrivateMessage header without its sender: 0002 · group · epoch 0 · 02 proposal', () => {
    const facts = readMessage(bytes('private_message'));
    expect([facts.wireformat, hex(facts.groupId), facts.epoch, facts.contentType, facts.sender]).toEqual([
      'private_message',
      GROUP,
      0n,
      'proposal',
      undefined,
    ]);
  });

  it('refuses another wire format, trailing bytes, a cut message and an empty one', async () => {
    expect(await code(() => readMessage(bytes('mls_welcome')))).toBe('mls_unsupported');
    const app = bytes('public_message_application');
    expect(await code(() => readMessage(Uint8Array.from([...app, 0])))).toBe('mls_malformed');
    expect(await code(() => readMessage(app.subarray(0, app.length - 1)))).toBe('mls_malformed');
    expect(await code(() => readMessage(new Uint8Array()))).toBe('mls_malformed');
    expect(await code(() => readMessage(new Uint8Array(256 * 1024 + 1)))).toBe('mls_too_large');
  });
});

describe("readMessage's PrivateMessage header reader", () => {
  const outcome = (read: (b: Uint8Array) => unknown, b: Uint8Array) => {
    try {
      return read(b);
    } catch (err) {
      return (err as MlsInputError).code;
    }
  };

  it("agrees with ts-mls's decoder on the vector cut at every length and with every byte of its header changed", () => {
    const pm = bytes('private_message');
    const variants: Uint8Array[] = [Uint8Array.from([...pm, 0])];
    for (let n = 0; n < pm.length; n++) variants.push(pm.subarray(0, n));
    for (let i = 0; i < Math.min(pm.length, 40); i++)
      for (const v of [0x00, 0x01, 0x02, 0x03, 0x04, 0x3f, 0x40, 0x7f, 0x80, 0xbf, 0xc0, 0xff]) {
        const m = Uint8Array.from(pm);
        m[i] = v;
        variants.push(m);
      }
    for (const v of variants) expect(outcome(readMessage, v)).toEqual(outcome(decodeMessage, v));
  });
});

describe('Welcome, KeyPackage and GroupInfo of another cipher suite', () => {
  it("reads the Welcome's new_member KeyPackageRef when told its suite, and refuses it as the chat suite", async () => {
    // 0001 · 0003 welcome · 0001 suite · 4098 secrets<152> · 20 new_member (32 bytes)
    const w = readWelcome(bytes('mls_welcome'), 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519');
    expect(w.keyPackageRefs.map(hex)).toEqual([
      'b476143a05c9998ec979b6238fee883a9f465ed4b6ea2c694b2258e51dba7d5f',
    ]);
    expect(await code(() => readWelcome(bytes('mls_welcome')))).toBe('mls_unsupported');
  });

  it('refuses the suite-1 KeyPackage and GroupInfo before any signature work', async () => {
    expect(await code(readKeyPackage(bytes('mls_key_package')))).toBe('mls_unsupported');
    expect(await code(readGroupInfo(bytes('mls_group_info')))).toBe('mls_unsupported');
  });
});
