import { z } from 'zod';

export type Env = Record<string, string | undefined>;

/** Raised when the environment does not satisfy a domain's config schema; names every offending variable. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly { variable: string; expected: string }[]) {
    super(
      'Invalid configuration:\n' +
        issues.map((i) => `  - ${i.variable}: ${i.expected}`).join('\n') +
        '\nFix the variable(s) above (see the configuration table in README.md) and start again.',
    );
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once against a domain's schema. Keys of the schema are the env variable names,
 * so every error names the variable an operator has to fix.
 */
export function parseConfig<S extends z.ZodObject>(schema: S, env: Env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      variable: issue.path.map(String).join('.') || '(environment)',
      expected: issue.message,
    })),
  );
}

/** Env helpers: env vars are strings, empty means unset. */
const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const envString = () => z.preprocess(emptyToUndefined, z.string().optional());

export const envPort = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'expected a TCP/UDP port number' })
      .int('expected an integer port')
      .min(0, 'expected a port between 0 and 65535')
      .max(65535, 'expected a port between 0 and 65535')
      .default(fallback),
  );

/** A whole number in [min, max] (`expected <unit>` otherwise), the fallback when unset or blank. */
export const envInt = (unit: string, min: number, max: number, fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: `expected ${unit}` })
      .int()
      .min(min)
      .max(max)
      .default(fallback),
  );

const boolText = () =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const envBool = (fallback: boolean) => z.preprocess(emptyToUndefined, boolText().default(fallback));

/** A boolean whose default depends on other settings: undefined when unset. */
export const envOptionalBool = () => z.preprocess(emptyToUndefined, boolText().optional());

export const envUrl = (protocols: readonly string[]) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine(
        (v) => {
          try {
            return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
          } catch {
            return false;
          }
        },
        `expected a URL with scheme ${protocols.join(' or ')}`,
      )
      .optional(),
  );

/** Masks the password of a URL so it can be shown in logs, /healthz or the NOC. */
export function maskUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
