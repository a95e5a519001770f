import { X509Certificate } from 'node:crypto';
import { isLoopbackHost, normalOrigin, type Logger, type PlatformConfig } from '@pakawaaz/platform';
import { readTlsPair } from './tls.js';

/*
 * The origins a desktop's DPoP proof may name in `htu` (RFC 9449 §4.3) when PAKAWAAZ_PUBLIC_ORIGINS is unset:
 * those the server's own configuration says it is reached by — each listener's scheme and bound port, with
 * its configured address, the names its TLS certificate is valid for, and the loopback names when it listens
 * on loopback or every address. Never the Host header: that is the client's claim, and a proof made for
 * another server (one the official was lured to) would otherwise be accepted with that server's name.
 */

const ANY_ADDRESS = new Set(['0.0.0.0', '::', '[::]']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

export type Listener = {
  scheme: 'http' | 'https';
  /** The configured listen address (HOST). */
  host: string;
  /** The bound port. */
  port: number;
  /** Further names it is reached by: its certificate's, or the configured device host names. */
  names: readonly string[];
};

/** The DNS names and IP addresses a certificate is valid for; wildcard names left out (a proof names one host). */
export function certificateNames(pem: string | Buffer): string[] {
  const san = new X509Certificate(pem).subjectAltName ?? '';
  return san
    .split(/,\s*/)
    .flatMap((entry) => {
      const m = /^(DNS|IP Address):(.+)$/.exec(entry.trim());
      return m?.[2] && !m[2].includes('*') ? [m[2].toLowerCase()] : [];
    })
    .filter((name) => /^[a-z0-9.:-]{1,253}$/.test(name));
}

/** The origins one listener is reached by, by the server's own configuration. */
export function listenerOrigins(l: Listener): string[] {
  const host = l.host.replace(/^\[|\]$/g, '').toLowerCase();
  const names = new Set(l.names.map((n) => n.replace(/^\[|\]$/g, '').toLowerCase()));
  if (ANY_ADDRESS.has(l.host) || isLoopbackHost(host)) for (const n of LOOPBACK_NAMES) names.add(n);
  if (!ANY_ADDRESS.has(l.host)) names.add(host);
  const origins = [...names].flatMap((n) => {
    const origin = normalOrigin(`${l.scheme}://${n.includes(':') ? `[${n}]` : n}:${l.port}`);
    return origin ? [origin] : [];
  });
  return [...new Set(origins)];
}

/**
 * The origins of the main port and (when open) the device port. The main port's names are its certificate's
 * (HTTPS) or its address; the device port's are its certificate file's, else the configured device host names
 * (which the certificate the device CA issues for it names).
 */
export function serverOrigins(
  config: PlatformConfig,
  ports: { main: number; device: number | null },
  pem: { main?: Buffer | undefined; device?: Buffer | undefined } = {},
): string[] {
  const main = listenerOrigins({
    scheme: pem.main ? 'https' : 'http',
    host: config.HOST,
    port: ports.main,
    names: pem.main ? certificateNames(pem.main) : [],
  });
  const device =
    ports.device === null
      ? []
      : listenerOrigins({
          scheme: 'https',
          host: config.HOST,
          port: ports.device,
          names: pem.device ? certificateNames(pem.device) : config.PAKAWAAZ_DEVICE_HOSTNAMES,
        });
  return [...new Set([...main, ...device])];
}

/**
 * What `htu` is checked against: PAKAWAAZ_PUBLIC_ORIGINS, else the server's own origins — announced at the
 * start of a server reachable from other machines, where a reverse proxy or a name outside the certificates
 * would refuse every desktop until the variable is set.
 */
export function dpopOriginsAtStart(
  config: PlatformConfig,
  ports: { main: number; device: number | null },
  mainCert: Buffer | undefined,
  logger: Logger,
): string[] {
  if (config.PAKAWAAZ_PUBLIC_ORIGINS.length > 0) return [...config.PAKAWAAZ_PUBLIC_ORIGINS];
  const device = readTlsPair(config, 'PAKAWAAZ_DEVICE_TLS_CERT_FILE', 'PAKAWAAZ_DEVICE_TLS_KEY_FILE');
  const origins = serverOrigins(config, ports, { main: mainCert, device: device?.cert });
  if (!isLoopbackHost(config.HOST))
    logger.warn(
      { origins },
      'PAKAWAAZ_PUBLIC_ORIGINS is unset: desktop DPoP proofs are accepted only for the origins this server derives from its listeners and certificates; set it to the URL officials open (https://chat.gov.example), above all behind a reverse proxy',
    );
  return origins;
}
