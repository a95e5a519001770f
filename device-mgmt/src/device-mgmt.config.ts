import { envPort, envString, envUrl, parseConfig, type Env, type PlatformConfig } from '@pakawaaz/platform';
import { z } from 'zod';

const unset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const rate = (fallback: number, max: number) =>
  z.preprocess(
    unset,
    z.coerce.number({ message: 'expected a number of connections' }).int().min(1).max(max).default(fallback),
  );

// ---- Push without FCM (MQTT) ---------------------------------------------------------------------------
const pushSchema = z.object({
  /** The embedded broker's mutual-TLS port; 0 = no embedded broker. Ignored when MQTT_URL is set. */
  PAKAWAAZ_MQTT_PORT: envPort(18830),
  /** Names and addresses handsets reach the broker by (its certificate's SANs); default: HOST. */
  PAKAWAAZ_MQTT_HOSTNAMES: envString(),
  PAKAWAAZ_MQTT_CONNECT_RATE: rate(200, 100_000),
  PAKAWAAZ_MQTT_CONNECT_BURST: rate(1_000, 1_000_000),
  PAKAWAAZ_MQTT_CONNECT_RATE_PER_ADDRESS: rate(5, 100_000),
  PAKAWAAZ_MQTT_CONNECT_BURST_PER_ADDRESS: rate(20, 1_000_000),
  /** An external broker (Mosquitto): pushes are published there and no embedded broker runs. */
  MQTT_URL: envUrl(['mqtt', 'mqtts']),
  MQTT_USERNAME: envString(),
  MQTT_PASSWORD: envString(),
  MQTT_CA_FILE: envString(),
  MQTT_CERT_FILE: envString(),
  MQTT_KEY_FILE: envString(),
});

export type PushConfig = {
  mode: 'embedded' | 'external' | 'off';
  embedded: {
    host: string;
    port: number;
    hostnames: readonly string[];
    limits: {
      globalPerSecond: number;
      globalBurst: number;
      perAddressPerSecond: number;
      perAddressBurst: number;
    };
  };
  external: {
    url: string;
    username: string | undefined;
    password: string | undefined;
    caFile: string | undefined;
    certFile: string | undefined;
    keyFile: string | undefined;
  } | null;
};

export function loadPushConfig(env: Env, platform: Pick<PlatformConfig, 'HOST'>): PushConfig {
  const c = parseConfig(pushSchema, env);
  const host = platform.HOST === 'localhost' ? '127.0.0.1' : platform.HOST;
  const hostnames = c.PAKAWAAZ_MQTT_HOSTNAMES?.split(',')
    .map((h) => h.trim())
    .filter(Boolean) ?? [platform.HOST, ...(platform.HOST === 'localhost' ? ['127.0.0.1'] : [])];
  return {
    mode: c.MQTT_URL ? 'external' : c.PAKAWAAZ_MQTT_PORT === 0 ? 'off' : 'embedded',
    embedded: {
      host,
      port: c.PAKAWAAZ_MQTT_PORT,
      hostnames,
      limits: {
        globalPerSecond: c.PAKAWAAZ_MQTT_CONNECT_RATE,
        globalBurst: c.PAKAWAAZ_MQTT_CONNECT_BURST,
        perAddressPerSecond: c.PAKAWAAZ_MQTT_CONNECT_RATE_PER_ADDRESS,
        perAddressBurst: c.PAKAWAAZ_MQTT_CONNECT_BURST_PER_ADDRESS,
      },
    },
    external: c.MQTT_URL
      ? {
          url: c.MQTT_URL,
          username: c.MQTT_USERNAME,
          password: c.MQTT_PASSWORD,
          caFile: c.MQTT_CA_FILE,
          certFile: c.MQTT_CERT_FILE,
          keyFile: c.MQTT_KEY_FILE,
        }
      : null,
  };
}

export const PUSH_CONFIG = Symbol.for('pakawaaz.device-mgmt.PushConfig');
// ---- end of push --------------------------------------------------------------------------------------

/** device-mgmt's settings, parsed once at start-up by the server (a bad value stops it naming the variable). */
export type DeviceMgmtConfig = { push: PushConfig };

export function loadDeviceMgmtConfig(env: Env, platform: Pick<PlatformConfig, 'HOST'>): DeviceMgmtConfig {
  return { push: loadPushConfig(env, platform) };
}
