import { X509Certificate } from 'node:crypto';
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
  return readTlsPair(config, 'PAKAWAAZ_TLS_CERT_FILE', 'PAKAWAAZ_TLS_KEY_FILE');
}

/** A certificate and key file pair named by two variables, read and checked as a pair; undefined when unset. */
export function readTlsPair(
  config: PlatformConfig,
  certVariable: 'PAKAWAAZ_TLS_CERT_FILE' | 'PAKAWAAZ_DEVICE_TLS_CERT_FILE',
  keyVariable: 'PAKAWAAZ_TLS_KEY_FILE' | 'PAKAWAAZ_DEVICE_TLS_KEY_FILE',
): TlsFiles | undefined {
  const certFile = config[certVariable];
  const keyFile = config[keyVariable];
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
  const files = { cert: read(certVariable, certFile), key: read(keyVariable, keyFile) };
  try {
    createSecureContext(files);
  } catch (err) {
    throw new ConfigError([
      {
        variable: keyVariable,
        expected: `the PEM private key of the certificate in ${certVariable} (${(err as Error).message})`,
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

const DAY_MS = 86_400_000;
/** How long before its expiry a certificate is announced at every start. */
export const CERT_EXPIRY_WARNING_DAYS = 30;

/**
 * What to say about the served certificate's validity at start-up: nothing while it has more than 30 days,
 * a warning inside them, an error once it has expired or is not yet valid (every client will refuse it).
 */
export function certificateValidityNotice(
  certPem: Buffer | string,
  now: Date,
): { level: 'warn' | 'error'; message: string } | null {
  const cert = new X509Certificate(certPem);
  const notAfter = new Date(cert.validTo);
  const notBefore = new Date(cert.validFrom);
  if (now < notBefore)
    return {
      level: 'error',
      message: `the certificate in PAKAWAAZ_TLS_CERT_FILE is valid only from ${notBefore.toISOString()}`,
    };
  if (now > notAfter)
    return {
      level: 'error',
      message: `the certificate in PAKAWAAZ_TLS_CERT_FILE expired on ${notAfter.toISOString()}: clients will refuse it; install a new one`,
    };
  const days = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
  if (days < CERT_EXPIRY_WARNING_DAYS)
    return {
      level: 'warn',
      message: `the certificate in PAKAWAAZ_TLS_CERT_FILE expires in ${days} day${days === 1 ? '' : 's'} (${notAfter.toISOString()}): renew it`,
    };
  return null;
}

export function warnIfExpiring(tls: TlsFiles | undefined, logger: Logger, now = new Date()): void {
  const notice = tls ? certificateValidityNotice(tls.cert, now) : null;
  if (notice) logger[notice.level]({ expiry: true }, notice.message);
}
