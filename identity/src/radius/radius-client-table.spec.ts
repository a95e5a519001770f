import { describe, expect, it } from 'vitest';
import { compileClients, parseCidr } from './radius-client-table.js';

const entry = (id: string, cidr: string) => ({ id, name: id, cidr, secret: Buffer.from(`s-${id}`) });

describe('parseCidr', () => {
  it.each([
    ['10.0.0.1', { address: '10.0.0.1', prefix: 32, family: 'ipv4' }],
    ['10.0.0.0/8', { address: '10.0.0.0', prefix: 8, family: 'ipv4' }],
    ['2001:db8::/32', { address: '2001:db8::', prefix: 32, family: 'ipv6' }],
    ['::1', { address: '::1', prefix: 128, family: 'ipv6' }],
  ])('%s', (text, parsed) => expect(parseCidr(text)).toEqual(parsed));
  it.each(['10.0.0.0/33', '10.0.0/8', 'host.example', '10.0.0.0/8/1', '10.0.0.0/x', '::/129', ''])(
    'refuses %s',
    (text) => expect(parseCidr(text)).toBeNull(),
  );
});

describe('compileClients', () => {
  const lookup = compileClients([
    entry('campus', '10.20.0.0/16'),
    entry('controller', '10.20.30.40'),
    entry('v6', '2001:db8::/32'),
    entry('lo', '127.0.0.1'),
  ]);
  it('the most specific entry wins', () => {
    expect(lookup('10.20.30.40')?.id).toBe('controller');
    expect(lookup('10.20.30.41')?.id).toBe('campus');
  });
  it('matches IPv6 blocks and IPv4-mapped sources', () => {
    expect(lookup('2001:db8:1::5')?.id).toBe('v6');
    expect(lookup('::ffff:127.0.0.1')?.id).toBe('lo');
  });
  it('unknown addresses and garbage are not clients', () => {
    expect(lookup('10.21.0.1')).toBeNull();
    expect(lookup('not-an-ip')).toBeNull();
  });
  it('skips entries without a secret or with a bad CIDR', () => {
    const l = compileClients([{ ...entry('a', '10.0.0.1'), secret: Buffer.alloc(0) }, entry('b', 'bogus')]);
    expect(l('10.0.0.1')).toBeNull();
  });
});
