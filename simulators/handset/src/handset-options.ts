import type { ApkInspect, StoreIndex } from './app-installer.js';
import type { CatalogueVerifier } from './catalogue-client.js';
import type { LabAttestation, LabAttestationRoot } from './lab-attestation.js';
import type { DeviceCommand, HandsetState } from './obey.js';

/* A simulated handset's options, what it saves, and the check-in reply it reads (handset.ts). */

export type HandsetOptions = {
  /** The API's base URL (enrolment is reached there, without a client certificate). */
  apiUrl: string;
  /** The device port's base URL (mutual TLS), e.g. `https://127.0.0.1:8443`. */
  deviceUrl: string;
  root: LabAttestationRoot;
  /** Attested identifiers; default: random, Luhn-valid IMEI and a serial. */
  imei?: string;
  serial?: string;
  /** What the handset attests beyond a healthy, locked, patched device (e.g. `{ deviceLocked: false }`). */
  attest?: Partial<LabAttestation>;
  /** The security patch it reports at check-in ('YYYY-MM-DD'); default 2025-11-05, as it attests. */
  securityPatch?: string;
  /** Lab fault: this fraction (0..1) of handsets, chosen by a hash of their device id, fail OS updates. */
  updateFailureRate?: number;
  /** The model it attests (`attestationIdModel`, a registered codename); OS updates need it. */
  model?: string;
  /**
   * Its OTA folder: the trusted TUF root (`root.json`, see `provisionTrustedRoot`) and the metadata it last
   * verified. Without one the handset refuses every OS update (it cannot verify it).
   */
  otaDir?: string;
  /**
   * Lab only: with no trusted root in `otaDir`, take the server's `1.root.json` before the first update (trust
   * on first use). A real handset ships its root in the OS image and never does this.
   */
  trustServerRoot?: boolean;
  /**
   * The app store as the handset trusts it: the catalogue verifier bound to its pins (catalogue key,
   * institution, log key and origin: `verifyCatalogue`) and the APK inspector (`inspectApk`). With it, an
   * `install_app` is installed only once app-installer.ts verified the APK; without it the handset records
   * the package the command names unchecked (the behaviour before the store, kept for fleets with no pins).
   */
  store?: { verify: CatalogueVerifier<StoreIndex>; inspect: ApkInspect };
  /** Lab fault: apps installed from the store crash (each check-in reports one more crash of each). */
  crashApps?: boolean;
  now?: () => Date;
};

export type Enrolment = {
  deviceId: string;
  certificatePem: string;
  caPems: string[];
  checkInIntervalSeconds: number;
  /** When its key was last attested (enrolment, then each re-attestation), by the handset's clock. */
  attestedAt?: string;
};

export type SavedHandset = {
  imei: string;
  serial: string;
  keyPem: string;
  enrolment: Enrolment;
  state: HandsetState;
};

export type CheckInReply = {
  policy: { version: number; settings?: { maxAttestationAgeHours?: number } } | null;
  commands: DeviceCommand[];
  compliance: { state: string; reasons: string[] };
  nextCheckInSeconds: number;
};

/** A 15-digit IMEI with a valid Luhn check digit. */
export function randomImei(): string {
  const body = `35${Array.from({ length: 12 }, () => Math.floor(Math.random() * 10)).join('')}`;
  const sum = [...body].reverse().reduce((acc, ch, i) => {
    const d = Number(ch) * (i % 2 === 0 ? 2 : 1);
    return acc + (d > 9 ? d - 9 : d);
  }, 0);
  return `${body}${(10 - (sum % 10)) % 10}`;
}
