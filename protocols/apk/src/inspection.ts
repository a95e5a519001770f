/**
 * What `inspectApk` reports (and `pakawaaz apk inspect` prints as JSON). The contract between the parts of
 * this package — the ZIP reader and manifest parser, the signature verifier — and the app store.
 */
export type ApkInspection = {
  package: string | null;
  versionCode: number | null;
  versionName: string | null;
  minSdk: number | null;
  targetSdk: number | null;
  /** uses-permission and uses-permission-sdk-23 names, sorted, unique. */
  permissions: string[];
  debuggable: boolean;
  /** android:usesCleartextTraffic as declared; null when absent (the platform default depends on targetSdk). */
  usesCleartextTraffic: boolean | null;
  /**
   * Whether the app may send cleartext (http://) traffic as the platform decides it: its network security
   * config when it names one (then usesCleartextTraffic is ignored), else usesCleartextTraffic, else the
   * default (permitted below targetSdk 28). A config we cannot read counts as permitting it.
   */
  cleartextTraffic: {
    /** Permitted for hosts no domain rule names. */
    permitted: boolean;
    /** Hosts (`*.` first when subdomains are included) where it is permitted although the base forbids it. */
    domains: string[];
    decidedBy: 'network-security-config' | 'manifest' | 'platform-default';
  };
  /** ABIs with native code (lib/<abi>/ entries), sorted. */
  nativeAbis: string[];
  /** Whether each scheme verified, as apksigner reports it for the same minimum SDK. */
  schemes: { v1: boolean; v2: boolean; v3: boolean };
  /** SHA-256 of each signer certificate, lower-case hex, in apksigner's order. */
  signers: string[];
  /** v3 proof-of-rotation lineage: SHA-256 of each certificate, oldest first; empty without one. */
  lineage: string[];
  /** Our policy: v2 or v3 verified, and no error. */
  verified: boolean;
  /** Stable error codes (see errors.ts), empty when verified. */
  errors: string[];
};
