import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError, isLoopbackHost, type Logger, type PlatformConfig } from '@pakawaaz/platform';

export type TlsFiles = { cert: Buffer; key: Buffer };

/**
 * The certificate and key of PAKAWAAZ_TLS_CERT_FILE / PAKAWAAZ_TLS_KEY_FILE, read and checked as a pair
 * at start-up (a missing file, a wrong format or a key of another certificate stop the start with the
 * variable to fix); undefined when HTTPS is off.
 */
export function loadTls(config: PlatformConfig): TlsFiles | undefined {
  const certFile = config.PAKAWAAZ_TLS_CERT_FILE;
  const keyFile = config.PAKAWAAZ_TLS_KEY_FILE;
  if (!certFile || !keyFile) return undefined;
  const read = (variable: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ConfigError([
        { variable, expected: `a readable PEM file; cannot read ${file} (${(err as Error).message})` },
      ]);
    }
  };
  const files = {
    cert: read('PAKAWAAZ_TLS_CERT_FILE', certFile),
    key: read('PAKAWAAZ_TLS_KEY_FILE', keyFile),
  };
  try {
    createSecureContext(files);
  } catch (err) {
    throw new ConfigError([
      {
        variable: 'PAKAWAAZ_TLS_KEY_FILE',
        expected: `the PEM private key of the certificate in PAKAWAAZ_TLS_CERT_FILE (${(err as Error).message})`,
      },
    ]);
  }
  return files;
}

/** Plain HTTP on an address other machines reach happens only by explicit choice, and is said at every start. */
export function warnIfInsecure(config: PlatformConfig, tls: TlsFiles | undefined, logger: Logger): void {
  if (tls || isLoopbackHost(config.HOST)) return;
  logger.warn(
    { host: config.HOST },
    `PAKAWAAZ_INSECURE_HTTP: serving plain HTTP on ${config.HOST}; passwords and tokens cross the network in clear unless a proxy in front terminates TLS`,
  );
}
