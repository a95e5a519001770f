// Public face of @pakawaaz/totp: the only module other packages may import.
export {
  TOTP_PERIOD_SECONDS,
  TOTP_DIGITS,
  TOTP_WINDOW_STEPS,
  TOTP_SECRET_BYTES,
  TOTP_ISSUER,
  newTotpSecret,
  totpUri,
  totpStepAt,
  totpCodeAtStep,
  verifyTotp,
  type RandomBytes,
  type TotpVerification,
  type VerifyTotpInput,
} from './totp.js';
export {
  RECOVERY_CODE_ALPHABET,
  RECOVERY_CODE_GROUPS,
  RECOVERY_CODE_GROUP_LENGTH,
  RECOVERY_CODE_COUNT,
  RECOVERY_CODE_ENTROPY_BITS,
  generateRecoveryCodes,
  normaliseRecoveryCode,
  verifyRecoveryCode,
  type StoredRecoveryCode,
  type RecoveryCodeSet,
} from './recovery-codes.js';
