import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, envBool, envPort, maskUrl, parseConfig, type Env } from './config.js';
import { loadPlatformConfig as load, type DomainComposition } from './platform.config.js';

const CWD = '/srv/pakawaaz';
/** A composition as a server hands it over (the kernel itself knows no domain). */
const DOMAINS: DomainComposition = {
  names: ['core-network', 'hardened-os', 'identity', 'device-mgmt', 'app-store', 'secure-chat'],
  everyNode: { identity: 'it verifies the tokens of every request' },
};
const loadPlatformConfig = (env: Env, cwd: string) => load(env, cwd, DOMAINS);

/** The ConfigError a bad environment raises; fails the test when the environment is accepted. */
function configErrorOf(env: Env): ConfigError {
  try {
    loadPlatformConfig(env, CWD);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('loadPlatformConfig defaults', () => {
  it('starts an embedded, in-process, demo-seeded node on :8080 with an empty environment', () => {
    const c = loadPlatformConfig({}, CWD);
    expect(c).toMatchObject({
      PORT: 8080,
      HOST: 'localhost',
      LOG_LEVEL: 'info',
      BODY_LIMIT_BYTES: 1024 * 1024,
      PAKAWAAZ_REQUIRE_SERVICES: false,
      databaseMode: 'embedded',
      eventBusMode: 'in-process',
      seedDemo: true,
      dataDir: path.join(CWD, '.pakawaaz'),
    });
    expect(c.PAKAWAAZ_DOMAINS).toEqual(DOMAINS.names);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.NATS_URL).toBeUndefined();
  });

  it('switches to PostgreSQL and turns the demo seed off by default when DATABASE_URL is set', () => {
    const c = loadPlatformConfig({ DATABASE_URL: 'postgres://pkz:pw@db.internal:5433/pakawaaz' }, CWD);
    expect(c.databaseMode).toBe('postgresql');
    expect(c.seedDemo).toBe(false);
    expect(c.DATABASE_URL).toBe('postgres://pkz:pw@db.internal:5433/pakawaaz');
  });

  it('lets PAKAWAAZ_SEED_DEMO override the default either way', () => {
    expect(loadPlatformConfig({ PAKAWAAZ_SEED_DEMO: 'false' }, CWD).seedDemo).toBe(false);
    expect(
      loadPlatformConfig({ DATABASE_URL: 'postgresql://db/p', PAKAWAAZ_SEED_DEMO: 'yes' }, CWD).seedDemo,
    ).toBe(true);
  });

  it('switches the event bus to NATS when NATS_URL is set', () => {
    expect(loadPlatformConfig({ NATS_URL: 'nats://nats.internal:4223' }, CWD).eventBusMode).toBe('nats');
    expect(loadPlatformConfig({ NATS_URL: 'tls://nats.internal:4223' }, CWD).eventBusMode).toBe('nats');
  });

  it('resolves a relative data dir against cwd and keeps an absolute one', () => {
    expect(loadPlatformConfig({ PAKAWAAZ_DATA_DIR: 'var/data' }, CWD).dataDir).toBe(
      path.join(CWD, 'var/data'),
    );
    expect(loadPlatformConfig({ PAKAWAAZ_DATA_DIR: '/var/lib/pakawaaz' }, CWD).dataDir).toBe(
      '/var/lib/pakawaaz',
    );
  });

  it('parses valid values (port, level, domain subset with spaces, body limit, booleans)', () => {
    const c = loadPlatformConfig(
      {
        PORT: '9443',
        LOG_LEVEL: 'debug',
        PAKAWAAZ_DOMAINS: ' identity , core-network ',
        BODY_LIMIT_BYTES: '2048',
        PAKAWAAZ_REQUIRE_SERVICES: '1',
      },
      CWD,
    );
    expect(c.PORT).toBe(9443);
    expect(c.LOG_LEVEL).toBe('debug');
    expect(c.PAKAWAAZ_DOMAINS).toEqual(['identity', 'core-network']);
    expect(c.BODY_LIMIT_BYTES).toBe(2048);
    expect(c.PAKAWAAZ_REQUIRE_SERVICES).toBe(true);
  });

  it('treats every empty variable as unset (defaults apply, no error)', () => {
    const empty = Object.fromEntries(
      [
        'PORT',
        'HOST',
        'PAKAWAAZ_DATA_DIR',
        'DATABASE_URL',
        'NATS_URL',
        'LOG_LEVEL',
        'PAKAWAAZ_DOMAINS',
        'BODY_LIMIT_BYTES',
        'PAKAWAAZ_SEED_DEMO',
        'PAKAWAAZ_REQUIRE_SERVICES',
      ].map((k) => [k, '']),
    );
    expect(loadPlatformConfig(empty, CWD)).toEqual(loadPlatformConfig({}, CWD));
  });
});

describe('the listening address and HTTPS', () => {
  it('accepts any loopback address in plain HTTP', () => {
    for (const HOST of ['localhost', '127.0.0.1', '127.8.9.10', '::1', '[::1]'])
      expect(loadPlatformConfig({ HOST }, CWD).HOST).toBe(HOST);
  });

  it('refuses a non-loopback address without HTTPS, and says the two ways out', () => {
    for (const HOST of ['0.0.0.0', '::', '10.0.0.5', 'noc.example.gov', '128.0.0.1']) {
      const err = configErrorOf({ HOST });
      expect(err.issues).toHaveLength(1);
      expect(err.issues[0]?.variable).toBe('HOST');
      expect(err.issues[0]?.expected).toContain('PAKAWAAZ_TLS_CERT_FILE and PAKAWAAZ_TLS_KEY_FILE');
      expect(err.issues[0]?.expected).toContain('PAKAWAAZ_INSECURE_HTTP=true');
    }
  });

  it('accepts a non-loopback address with both TLS files, or with the explicit opt-out', () => {
    const tls = { PAKAWAAZ_TLS_CERT_FILE: '/etc/pki/noc.crt', PAKAWAAZ_TLS_KEY_FILE: '/etc/pki/noc.key' };
    expect(loadPlatformConfig({ HOST: '0.0.0.0', ...tls }, CWD)).toMatchObject(tls);
    expect(
      loadPlatformConfig({ HOST: '::', PAKAWAAZ_INSECURE_HTTP: 'true' }, CWD).PAKAWAAZ_INSECURE_HTTP,
    ).toBe(true);
  });

  it('wants both TLS files or neither', () => {
    expect(configErrorOf({ PAKAWAAZ_TLS_CERT_FILE: '/etc/pki/noc.crt' }).issues[0]?.variable).toBe(
      'PAKAWAAZ_TLS_KEY_FILE',
    );
    expect(configErrorOf({ PAKAWAAZ_TLS_KEY_FILE: '/etc/pki/noc.key' }).issues[0]?.variable).toBe(
      'PAKAWAAZ_TLS_CERT_FILE',
    );
  });
});

describe('the device edge', () => {
  it('opens the device port on 8443 for localhost, believes no proxy and reads x-client-cert by default', () => {
    expect(loadPlatformConfig({}, CWD)).toMatchObject({
      PAKAWAAZ_DEVICE_PORT: 8443,
      PAKAWAAZ_DEVICE_HOSTNAMES: ['localhost', '127.0.0.1'],
      PAKAWAAZ_DEVICE_PROXY_ADDRESSES: [],
      PAKAWAAZ_DEVICE_CERT_HEADER: 'x-client-cert',
    });
  });

  it('normalises the public origins DPoP proofs must name (RFC 9449 §4.3)', () => {
    expect(loadPlatformConfig({}, CWD).PAKAWAAZ_PUBLIC_ORIGINS).toEqual([]);
    const c = loadPlatformConfig(
      { PAKAWAAZ_PUBLIC_ORIGINS: 'HTTPS://Chat.Gov.Example:443/, http://10.0.0.5:8080' },
      CWD,
    );
    expect(c.PAKAWAAZ_PUBLIC_ORIGINS).toEqual(['https://chat.gov.example', 'http://10.0.0.5:8080']);
  });

  it('parses host names, proxy addresses and CIDRs (v4 and v6) and a header name', () => {
    const c = loadPlatformConfig(
      {
        PAKAWAAZ_DEVICE_PORT: '0',
        PAKAWAAZ_DEVICE_HOSTNAMES: 'mdm.gov.example, 10.1.2.3',
        PAKAWAAZ_DEVICE_PROXY_ADDRESSES: '10.0.0.5, 10.0.1.0/24,fd00::/8',
        PAKAWAAZ_DEVICE_CERT_HEADER: 'SSL-Client-Cert',
      },
      CWD,
    );
    expect(c.PAKAWAAZ_DEVICE_PORT).toBe(0);
    expect(c.PAKAWAAZ_DEVICE_HOSTNAMES).toEqual(['mdm.gov.example', '10.1.2.3']);
    expect(c.PAKAWAAZ_DEVICE_PROXY_ADDRESSES).toEqual(['10.0.0.5', '10.0.1.0/24', 'fd00::/8']);
    expect(c.PAKAWAAZ_DEVICE_CERT_HEADER).toBe('ssl-client-cert');
  });

  it.each([
    [
      { PAKAWAAZ_DEVICE_PROXY_ADDRESSES: 'proxy.local' },
      'PAKAWAAZ_DEVICE_PROXY_ADDRESSES',
      /not one: proxy.local/,
    ],
    [{ PAKAWAAZ_DEVICE_PROXY_ADDRESSES: '10.0.0.0/33' }, 'PAKAWAAZ_DEVICE_PROXY_ADDRESSES', /CIDR/],
    [{ PAKAWAAZ_DEVICE_PROXY_ADDRESSES: '10.0.0.0/8/1' }, 'PAKAWAAZ_DEVICE_PROXY_ADDRESSES', /CIDR/],
    [{ PAKAWAAZ_DEVICE_CERT_HEADER: 'x client cert' }, 'PAKAWAAZ_DEVICE_CERT_HEADER', /header name/],
    [{ PAKAWAAZ_DEVICE_HOSTNAMES: 'a b' }, 'PAKAWAAZ_DEVICE_HOSTNAMES', /host names/],
    [{ PAKAWAAZ_PUBLIC_ORIGINS: 'https://chat.example/app' }, 'PAKAWAAZ_PUBLIC_ORIGINS', /without a path/],
    [{ PAKAWAAZ_PUBLIC_ORIGINS: 'ftp://chat.example' }, 'PAKAWAAZ_PUBLIC_ORIGINS', /not one: ftp/],
    [{ PAKAWAAZ_DEVICE_PORT: '99999' }, 'PAKAWAAZ_DEVICE_PORT', /between 0 and 65535/],
    [{ PAKAWAAZ_DEVICE_TLS_CERT_FILE: '/etc/pki/d.crt' }, 'PAKAWAAZ_DEVICE_TLS_KEY_FILE', /or neither/],
  ] as const)('%j → %s', (env, variable, expected) => {
    const err = configErrorOf(env);
    expect(err.issues[0]?.variable).toBe(variable);
    expect(err.issues[0]?.expected).toMatch(expected);
  });
});

describe('loadPlatformConfig rejects invalid values, naming the variable and what is expected', () => {
  it.each([
    [{ PORT: 'abc' }, 'PORT', /port number/],
    [{ PORT: '70000' }, 'PORT', /between 0 and 65535/],
    [{ PORT: '-1' }, 'PORT', /between 0 and 65535/],
    [{ PORT: '80.5' }, 'PORT', /integer/],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', /postgres or postgresql/],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL', /postgres or postgresql/],
    [{ NATS_URL: 'http://x' }, 'NATS_URL', /nats or tls/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /one of fatal, error, warn, info, debug, trace, silent/],
    [
      { PAKAWAAZ_DOMAINS: 'foo' },
      'PAKAWAAZ_DOMAINS',
      /unknown domain\(s\) foo.*"all" or a comma-separated list/,
    ],
    [
      { PAKAWAAZ_DOMAINS: 'core-network,app-store' },
      'PAKAWAAZ_DOMAINS',
      /identity must be part of every node/,
    ],
    [{ BODY_LIMIT_BYTES: '10' }, 'BODY_LIMIT_BYTES', /at least 1024 bytes/],
    [{ BODY_LIMIT_BYTES: String(65 * 1024 * 1024) }, 'BODY_LIMIT_BYTES', /at most 64 MiB/],
    [{ PAKAWAAZ_SEED_DEMO: 'maybe' }, 'PAKAWAAZ_SEED_DEMO', /true or false/],
  ] as const)('%j → %s', (env, variable, expected) => {
    const err = configErrorOf(env);
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]?.variable).toBe(variable);
    expect(err.issues[0]?.expected).toMatch(expected);
    // The operator reads the message, not the issues array: it must carry both.
    expect(err.message).toMatch(new RegExp(`- ${variable}: `));
    expect(err.message).toMatch(expected);
    expect(err.name).toBe('ConfigError');
  });

  it('checks PAKAWAAZ_DOMAINS against the composition it is given (the kernel knows no domain)', () => {
    const small: DomainComposition = { names: ['gateway', 'maps'], everyNode: { gateway: 'it routes' } };
    expect(load({ PAKAWAAZ_DOMAINS: 'all' }, CWD, small).PAKAWAAZ_DOMAINS).toEqual(['gateway', 'maps']);
    expect(() => load({ PAKAWAAZ_DOMAINS: 'identity' }, CWD, small)).toThrow(
      /unknown domain\(s\) identity; expected "all" or a comma-separated list of gateway, maps/,
    );
    expect(() => load({ PAKAWAAZ_DOMAINS: 'maps' }, CWD, small)).toThrow(
      /gateway must be part of every node \(it routes\)/,
    );
  });

  it('reports every bad variable at once, not just the first', () => {
    const err = configErrorOf({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      NATS_URL: 'http://x',
      BODY_LIMIT_BYTES: '10',
    });
    expect(err.issues.map((i) => i.variable).sort()).toEqual([
      'BODY_LIMIT_BYTES',
      'LOG_LEVEL',
      'NATS_URL',
      'PORT',
    ]);
    for (const v of ['PORT', 'LOG_LEVEL', 'NATS_URL', 'BODY_LIMIT_BYTES'])
      expect(err.message).toContain(`- ${v}: `);
  });
});

describe('parseConfig', () => {
  const schema = z.object({ PORT: envPort(1), FLAG: envBool(false) });

  it('returns the parsed, typed data', () => {
    expect(parseConfig(schema, { PORT: '42', FLAG: 'true', UNRELATED: 'x' })).toEqual({
      PORT: 42,
      FLAG: true,
    });
  });

  it('names nested paths with dots and whole-object failures as (environment)', () => {
    const nested = z.object({ A: z.object({ B: z.string() }) });
    const nestedErr = (() => {
      try {
        parseConfig(nested, { A: {} as unknown as string });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(nestedErr?.issues.map((i) => i.variable)).toEqual(['A.B']);

    const whole = z
      .object({ A: z.string().optional(), B: z.string().optional() })
      .refine((e) => e.A !== undefined || e.B !== undefined, 'set A or B');
    expect(() => parseConfig(whole as unknown as z.ZodObject, {})).toThrow(/- \(environment\): set A or B/);
  });

  it('accepts the documented boolean spellings and nothing else', () => {
    for (const [raw, value] of [
      ['true', true],
      ['1', true],
      ['yes', true],
      ['false', false],
      ['0', false],
      ['no', false],
    ] as const) {
      expect(parseConfig(schema, { FLAG: raw }).FLAG).toBe(value);
    }
    expect(() => parseConfig(schema, { FLAG: 'TRUE' })).toThrow(ConfigError);
    expect(() => parseConfig(schema, { FLAG: 'on' })).toThrow(ConfigError);
  });
});

describe('maskUrl', () => {
  it('hides the password but keeps user, host, port and database', () => {
    const masked = maskUrl('postgres://pakawaaz:s3cr3t-pw@db.internal:5433/pakawaaz?sslmode=require');
    expect(masked).not.toContain('s3cr3t-pw');
    expect(masked).toBe('postgres://pakawaaz:****@db.internal:5433/pakawaaz?sslmode=require');
  });

  it('hides a percent-encoded password too', () => {
    const masked = maskUrl('postgres://u:p%40ss%3Aword@h/db');
    expect(masked).toBe('postgres://u:****@h/db');
  });

  it('leaves URLs without a password alone and passes undefined/empty through', () => {
    expect(maskUrl('nats://nats.internal:4223')).toBe('nats://nats.internal:4223');
    expect(maskUrl('postgres://postgres@127.0.0.1:5432/postgres')).toBe(
      'postgres://postgres@127.0.0.1:5432/postgres',
    );
    expect(maskUrl(undefined)).toBeUndefined();
    expect(maskUrl('')).toBe('');
  });

  it('never echoes an unparseable value (it might be a secret pasted in the wrong variable)', () => {
    expect(maskUrl('hunter2 pasted here')).toBe('(unparseable URL)');
  });
});

describe('several processes on one host (PAKAWAAZ_PROCESSES)', () => {
  const cluster = { DATABASE_URL: 'postgres://db/pakawaaz', NATS_URL: 'nats://bus:4222' };

  it('runs one process by default, as the lead', () => {
    expect(loadPlatformConfig({}, CWD)).toMatchObject({ processes: 1, processIndex: 0 });
  });

  it('takes a number, or auto for one a core, with PostgreSQL and NATS', () => {
    expect(loadPlatformConfig({ ...cluster, PAKAWAAZ_PROCESSES: '4' }, CWD).processes).toBe(4);
    const auto = loadPlatformConfig({ ...cluster, PAKAWAAZ_PROCESSES: 'auto' }, CWD).processes;
    expect(auto).toBeGreaterThanOrEqual(1);
    expect(auto).toBeLessThanOrEqual(64);
    expect(
      loadPlatformConfig({ ...cluster, PAKAWAAZ_PROCESSES: '2', PAKAWAAZ_PROCESS_INDEX: '1' }, CWD),
    ).toMatchObject({ processes: 2, processIndex: 1 });
  });

  it('refuses more than one without the shared database and bus, naming what is missing', () => {
    expect(configErrorOf({ PAKAWAAZ_PROCESSES: '2' }).issues).toEqual([
      {
        variable: 'PAKAWAAZ_PROCESSES',
        expected: expect.stringContaining('set DATABASE_URL and NATS_URL') as string,
      },
    ]);
    expect(
      configErrorOf({ PAKAWAAZ_PROCESSES: '2', DATABASE_URL: cluster.DATABASE_URL }).issues[0]?.expected,
    ).toMatch(/set NATS_URL \(/);
  });

  it('refuses a count out of range and an index beyond the count', () => {
    for (const v of ['0', '65', '1.5', 'many'])
      expect(configErrorOf({ ...cluster, PAKAWAAZ_PROCESSES: v }).issues[0]?.variable).toBe(
        'PAKAWAAZ_PROCESSES',
      );
    expect(
      configErrorOf({ ...cluster, PAKAWAAZ_PROCESSES: '2', PAKAWAAZ_PROCESS_INDEX: '2' }).issues[0]?.variable,
    ).toBe('PAKAWAAZ_PROCESS_INDEX');
  });
});
