import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  consume,
  DEVICE_AUTHENTICATOR,
  isHandset,
  DEVICE_EDGE_TLS,
  EVENT_BUS,
  LOGGER,
  maskUrl,
  Metrics,
  type DeviceAuthenticator,
  type DeviceEdgeTls,
  type EventBus,
  type Logger,
  type Subscription,
} from '@pakawaaz/platform';
import { PUSH_CONFIG, type PushConfig } from '../device-mgmt.config.js';
import { MQTT_REVOCATION_CONSUMER, type DeviceCertificatesRevokedEvent } from '../device-mgmt.events.js';
import { PUSH_RELAY, type DevicePush, type PushRelay } from '../devices/device-ports.js';
import {
  startEmbeddedBroker,
  type BrokerEvent,
  type BrokerTls,
  type EmbeddedBroker,
} from './embedded-broker.js';
import { connectExternalBroker, type ExternalPublisher } from './external-publisher.js';
import { pushMetrics } from './push-metrics.js';
import { isDeviceId, pushTopic } from './push-topic.js';

const TLS_REFRESH_MS = 60 * 60_000;
const BACKOFF = { baseMs: 500, capMs: 60_000 };

/**
 * DEVICE_PUSH: wakes handsets over MQTT — the embedded broker (mutual TLS with device certificates) or an
 * external one (MQTT_URL). Best effort: a push that cannot be sent is counted and logged, never thrown, since
 * the handset checks in on its own interval anyway.
 */
@Injectable()
export class DevicePushService implements DevicePush, OnApplicationBootstrap, OnApplicationShutdown {
  private broker: EmbeddedBroker | null = null;
  private external: ExternalPublisher | null = null;
  private refresh: NodeJS.Timeout | null = null;
  private revocations: Subscription | null = null;
  private readonly count: ReturnType<typeof pushMetrics>;

  constructor(
    @Inject(PUSH_CONFIG) private readonly config: PushConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly moduleRef: ModuleRef,
    metrics: Metrics,
    @Optional() @Inject(EVENT_BUS) private readonly bus?: EventBus,
    @Optional() @Inject(PUSH_RELAY) private readonly relay?: PushRelay,
  ) {
    this.count = pushMetrics(metrics, () => this.broker?.connected());
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.relayed())
      return this.logger.info("Device push goes through this host's lead process and its MQTT broker");
    switch (this.config.mode) {
      case 'off':
        return this.logger.info('Device push is off (PAKAWAAZ_MQTT_PORT=0 and no MQTT_URL)');
      case 'external':
        return this.connectExternal();
      case 'embedded':
        return this.startEmbedded();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.refresh) clearInterval(this.refresh);
    this.refresh = null;
    await this.revocations?.unsubscribe();
    this.revocations = null;
    await Promise.all([this.broker?.close(), this.external?.close()]);
    this.broker = null;
    this.external = null;
  }

  /** The embedded broker's bound port (differs from the config when it asked for an ephemeral one), or null. */
  port(): number | null {
    return this.broker?.port ?? null;
  }

  /**
   * The embedded broker's address for a handset on this machine (the embedded demo's fleet), named as its
   * certificate names it (127.0.0.1 when listed); null without an embedded broker.
   */
  localDeviceUrl(): string | null {
    const port = this.port();
    if (port === null) return null;
    const names = this.config.embedded.hostnames;
    const host = names.includes('127.0.0.1') ? '127.0.0.1' : (names[0] ?? this.config.embedded.host);
    return `mqtts://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  async notify(deviceIds: readonly string[]): Promise<void> {
    const ids = [...new Set(deviceIds)];
    const valid = ids.filter(isDeviceId);
    if (valid.length < ids.length) this.count.push('invalid_device_id', ids.length - valid.length);
    // The lead process sends them and counts their outcomes.
    if (this.relayed()) return void (valid.length && this.relay!.forward(valid));
    const send = this.sender();
    if (!send) return void (valid.length && this.count.push('no_broker', valid.length));
    const outcomes = await Promise.all(valid.map((id) => send(pushTopic(id))));
    for (const o of outcomes) this.count.push(o);
    const failed = outcomes.filter((o) => o !== 'sent').length;
    if (failed) this.logger.warn({ failed, total: valid.length }, 'Some device pushes were not sent');
  }

  /** One embedded broker per host: a process other than the lead hands its pushes to the lead's. */
  private relayed(): boolean {
    return this.relay !== undefined && this.config.mode === 'embedded';
  }

  private sender(): ((topic: string) => Promise<'sent' | 'offline' | 'failed'>) | null {
    const { broker, external } = this;
    if (external) return (topic) => external.publish(topic);
    if (broker)
      return (topic) =>
        broker.publish(topic).then(
          () => 'sent' as const,
          () => 'failed' as const,
        );
    return null;
  }

  private async connectExternal(): Promise<void> {
    const e = this.config.external!;
    const url = maskUrl(e.url);
    this.external = await connectExternalBroker({
      ...e,
      backoff: BACKOFF,
      publishTimeoutMs: 5_000,
      onState: (state, detail) =>
        state === 'connected'
          ? this.logger.info({ url }, 'Connected to the MQTT broker for device push')
          : this.logger.warn({ url, detail }, 'MQTT broker for device push unreachable; retrying'),
    });
  }

  private async startEmbedded(): Promise<void> {
    const edge = this.optional<DeviceEdgeTls>(DEVICE_EDGE_TLS);
    const authenticator = this.optional<DeviceAuthenticator>(DEVICE_AUTHENTICATOR);
    if (!edge || !authenticator)
      return this.logger.warn(
        'No device CA is bound (DEVICE_EDGE_TLS): the embedded MQTT broker is not started',
      );
    const { host, port, limits, hostnames } = this.config.embedded;
    try {
      this.broker = await startEmbeddedBroker({
        host,
        port,
        limits,
        tls: await this.brokerTls(edge, hostnames),
        authenticate: async (chain) => {
          const r = await authenticator.authenticate(chain);
          // Push is for handsets: a chat bot's certificate gets no MQTT session.
          if (r.ok && !isHandset(r.device)) return { ok: false, reason: 'not_a_handset' as const };
          return r.ok ? { ok: true, deviceId: r.device.deviceId } : r;
        },
        onEvent: (e) => this.onBrokerEvent(e),
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(
        `Cannot listen for MQTT on ${host}:${port}${code ? ` (${code})` : ''}: set PAKAWAAZ_MQTT_PORT to a free port, or 0 to turn the embedded broker off.`,
      );
    }
    if (this.bus)
      this.revocations = await consume(this.bus, MQTT_REVOCATION_CONSUMER, (e) => this.kick(e.data));
    this.refresh = setInterval(() => {
      this.brokerTls(edge, hostnames).then(
        (t) => this.broker?.setTls(t),
        (err: Error) => this.logger.error({ err }, 'Cannot renew the MQTT broker TLS identity'),
      );
    }, TLS_REFRESH_MS);
    this.refresh.unref();
    this.logger.info({ host, port: this.broker.port }, 'Embedded MQTT broker (device push) listening');
  }

  /** A revoked certificate holds no connection: a retired or wiped device loses its connection whatever it used. */
  private kick(e: DeviceCertificatesRevokedEvent): Promise<void> {
    const final = e.reason === 'retired' || e.reason === 'wiped';
    const closed = this.broker?.kick(e.deviceId, final ? undefined : e.serials) ?? 0;
    if (closed)
      this.logger.info(
        { deviceId: e.deviceId, reason: e.reason },
        'MQTT connection of a revoked device closed',
      );
    return Promise.resolve();
  }

  private async brokerTls(edge: DeviceEdgeTls, hostnames: readonly string[]): Promise<BrokerTls> {
    const [identity, clientCas] = await Promise.all([edge.serverIdentity(hostnames), edge.clientCas()]);
    return { ...identity, clientCas };
  }

  private onBrokerEvent(e: BrokerEvent): void {
    switch (e.kind) {
      case 'refused':
        return this.count.refused(e.reason);
      case 'auth_refused':
        return this.count.refused('authentication');
      case 'denied':
        return this.count.refused(e.action);
      case 'kicked':
        return this.count.closed(e.reason);
      case 'error':
        return this.logger.debug({ err: e.err }, 'MQTT client error');
    }
  }

  /** The device CA's ports are bound by the enrolment feature; without them there is no embedded broker. */
  private optional<T>(token: symbol): T | null {
    try {
      return this.moduleRef.get<T>(token, { strict: false });
    } catch {
      return null;
    }
  }
}
