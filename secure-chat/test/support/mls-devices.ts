import { webcrypto } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { createTestCa, issueTestDevice, type TestCa } from '@pakawaaz/test-support';
import { certificateThumbprint, type DeviceAuthenticator, type DevicePrincipal } from '@pakawaaz/platform';
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  createGroupInfoWithExternalPubAndRatchetTree,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
  processPrivateMessage,
  type CiphersuiteImpl,
  type ClientState,
  type Extension,
  type KeyPackage,
  type Lifetime,
  type MLSMessage,
  type PrivateKeyPackage,
  type Proposal,
} from 'ts-mls';

export const SUITE = 'MLS_128_DHKEMP256_AES128GCM_SHA256_P256' as const;
let suite: Promise<CiphersuiteImpl> | undefined;
export const chatSuite = () => (suite ??= getCiphersuiteImpl(getCiphersuiteFromName(SUITE)));

/** The device CA of the tests (test-support's, with real keys). */
export const testCa = (): Promise<TestCa> => createTestCa('Chat test device CA');

export const encode = (m: MLSMessage): Uint8Array => encodeMlsMessage(m);
export const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');

/** A handset as MLS sees it: a P-256 signature key whose certificate the test CA issued. */
export class TestDevice {
  private constructor(
    readonly principal: DevicePrincipal,
    readonly certificate: Uint8Array,
    private readonly signKey: Uint8Array,
    private readonly publicKey: Uint8Array,
  ) {}

  /** A handset the test CA issued a certificate to; its WebCrypto key is also its MLS signature key. */
  static async create(
    ca: TestCa,
    ids: { deviceId: string; userId: string; institutionId: string | null },
  ): Promise<TestDevice> {
    const issued = await issueTestDevice(ca, { serial: ids.deviceId.replaceAll('-', '').slice(0, 16) });
    const jwk = await webcrypto.subtle.exportKey('jwk', issued.keys.privateKey);
    const signKey = new Uint8Array(Buffer.from(jwk.d!, 'base64url'));
    const publicKey = new Uint8Array(
      Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]),
    );
    const der = new Uint8Array(issued.cert.rawData);
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', issued.keys.privateKey));
    const device = new TestDevice(
      { ...ids, certThumbprint: certificateThumbprint(der), compliance: 'compliant' },
      der,
      signKey,
      publicKey,
    );
    device.tls = {
      cert: issued.cert.toString('pem'),
      key: `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n`,
    };
    return device;
  }

  /** The certificate and key as PEM, for a mutual-TLS connection. */
  tls: { cert: string; key: string } = { cert: '', key: '' };

  get deviceId(): string {
    return this.principal.deviceId;
  }

  /** A KeyPackage whose X.509 credential is this device's certificate (or another one, for refusals). */
  async keyPackage(
    options: { lastResort?: boolean; lifetime?: Lifetime; certificate?: Uint8Array } = {},
  ): Promise<{ publicPackage: KeyPackage; privatePackage: PrivateKeyPackage; bytes: Uint8Array }> {
    const cs = await chatSuite();
    const extensions: Extension[] = options.lastResort
      ? [{ extensionType: 10, extensionData: new Uint8Array() }]
      : [];
    const caps = defaultCapabilities();
    const kp = await generateKeyPackageWithKey(
      { credentialType: 'x509', certificates: [options.certificate ?? this.certificate] },
      options.lastResort ? { ...caps, extensions: [...caps.extensions, 10] } : caps,
      options.lifetime ?? defaultLifetime,
      extensions,
      { signKey: this.signKey, publicKey: this.publicKey },
      cs,
    );
    const bytes = encode({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: kp.publicPackage });
    return { ...kp, bytes };
  }
}

/** A member's MLS state with the bytes the server needs. */
export class TestMember {
  constructor(
    readonly device: TestDevice,
    public state: ClientState,
  ) {}

  static async createGroup(device: TestDevice, groupId: Uint8Array, extensions: Extension[]) {
    const cs = await chatSuite();
    const kp = await device.keyPackage();
    const state = await createGroup(groupId, kp.publicPackage, kp.privatePackage, extensions, cs);
    return new TestMember(device, state);
  }

  static async join(
    device: TestDevice,
    welcome: Uint8Array,
    kp: { publicPackage: KeyPackage; privatePackage: PrivateKeyPackage },
  ) {
    const cs = await chatSuite();
    const { decodeMlsMessage } = await import('ts-mls');
    const decoded = decodeMlsMessage(welcome, 0)![0];
    if (decoded.wireformat !== 'mls_welcome') throw new Error('not a welcome');
    const state = await joinGroup(decoded.welcome, kp.publicPackage, kp.privatePackage, emptyPskIndex, cs);
    return new TestMember(device, state);
  }

  async groupInfo(): Promise<Uint8Array> {
    const cs = await chatSuite();
    const groupInfo = await createGroupInfoWithExternalPubAndRatchetTree(this.state, [], cs);
    return encode({ version: 'mls10', wireformat: 'mls_group_info', groupInfo });
  }

  /** A commit adding these KeyPackages (not applied until `applied()`): its bytes, the next GroupInfo, the Welcome. */
  async commitAdding(packages: KeyPackage[], options: { publicMessage?: boolean } = {}) {
    return this.commitWith(
      packages.map((keyPackage) => ({ proposalType: 'add' as const, add: { keyPackage } })),
      options,
    );
  }

  /** A commit removing these leaves (an ordinary MLS Remove by a member), as `commitAdding`. */
  async commitRemoving(leaves: number[]) {
    return this.commitWith(
      leaves.map((removed) => ({ proposalType: 'remove' as const, remove: { removed } })),
    );
  }

  /** Takes in a proposal (the server's external Remove) as a PublicMessage, to commit by reference. */
  async receiveProposal(bytes: Uint8Array): Promise<void> {
    const cs = await chatSuite();
    const { decodeMlsMessage, processMessage, acceptAll } = await import('ts-mls');
    const m = decodeMlsMessage(bytes, 0)![0];
    if (m.wireformat !== 'mls_public_message') throw new Error('not a public message');
    const r = await processMessage(m, this.state, emptyPskIndex, acceptAll, cs);
    if (r.kind !== 'newState') throw new Error('the proposal did not give a new state');
    this.state = r.newState;
  }

  /** A commit of the proposals received (by reference) and an UpdatePath, as `commitAdding`. */
  commitPending(options: { publicMessage?: boolean } = {}) {
    return this.commitWith([], options);
  }

  /** The raw ts-mls commit (its new state unapplied), for tests that forge what goes with it. */
  async rawCommit(extraProposals: Proposal[]) {
    const cs = await chatSuite();
    return createCommit(
      { state: this.state, cipherSuite: cs },
      { extraProposals, ratchetTreeExtension: true, wireAsPublicMessage: true },
    );
  }

  private async commitWith(extraProposals: Proposal[], options: { publicMessage?: boolean } = {}) {
    const cs = await chatSuite();
    const result = await createCommit(
      { state: this.state, cipherSuite: cs },
      {
        extraProposals,
        ratchetTreeExtension: true,
        wireAsPublicMessage: options.publicMessage ?? true,
      },
    );
    const groupInfo = await createGroupInfoWithExternalPubAndRatchetTree(result.newState, [], cs);
    return {
      commit: encode(result.commit),
      groupInfo: encode({ version: 'mls10', wireformat: 'mls_group_info', groupInfo }),
      welcome: result.welcome
        ? encode({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome })
        : undefined,
      apply: () => {
        this.state = result.newState;
      },
    };
  }

  async message(text: string): Promise<Uint8Array> {
    const cs = await chatSuite();
    const { newState, privateMessage } = await createApplicationMessage(
      this.state,
      new TextEncoder().encode(text),
      cs,
    );
    this.state = newState;
    return encode({ version: 'mls10', wireformat: 'mls_private_message', privateMessage });
  }

  async read(bytes: Uint8Array): Promise<string> {
    const cs = await chatSuite();
    const { decodeMlsMessage } = await import('ts-mls');
    const m = decodeMlsMessage(bytes, 0)![0];
    if (m.wireformat !== 'mls_private_message') throw new Error('not a private message');
    const r = await processPrivateMessage(this.state, m.privateMessage, emptyPskIndex, cs);
    this.state = r.newState;
    if (r.kind !== 'applicationMessage') throw new Error(`expected an application message, got ${r.kind}`);
    return new TextDecoder().decode(r.message);
  }
}

/** DEVICE_AUTHENTICATOR of the test: the devices it knows, by certificate thumbprint; some revoked. */
export class TestDeviceAuthenticator implements DeviceAuthenticator {
  private readonly byThumbprint = new Map<string, DevicePrincipal>();
  readonly revoked = new Set<string>();
  /** Devices whose certificate a renewal replaced (revoked as superseded; the device still in service). */
  readonly superseded = new Set<string>();

  add(...devices: TestDevice[]): void {
    for (const d of devices) this.byThumbprint.set(d.principal.certThumbprint, d.principal);
  }

  authenticate(chain: readonly Uint8Array[]) {
    const device = chain[0] ? this.byThumbprint.get(certificateThumbprint(chain[0])) : undefined;
    if (!device) return Promise.resolve({ ok: false as const, reason: 'unknown_device' as const });
    if (this.revoked.has(device.deviceId))
      return Promise.resolve({ ok: false as const, reason: 'revoked' as const });
    if (this.superseded.has(device.deviceId))
      return Promise.resolve({ ok: false as const, reason: 'revoked' as const, replaced: device });
    return Promise.resolve({ ok: true as const, device });
  }
}

/** The server's external sender in a test: a P-256 key in memory, signing as the key service does (JWS r ‖ s). */
export function testExternalSender(): {
  signatureKey: Uint8Array;
  signEs256(data: Uint8Array): Promise<Uint8Array>;
} {
  const secret = p256.utils.randomSecretKey();
  return {
    signatureKey: p256.getPublicKey(secret, false),
    signEs256: (data) => Promise.resolve(p256.sign(data, secret, { prehash: true, format: 'compact' })),
  };
}
