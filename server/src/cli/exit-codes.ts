import type { ErrorCode } from '@pakawaaz/api-client';
import { ApiError } from '@pakawaaz/api-client/errors';
import { CliError } from './api-client.js';

/**
 * The CLI's exit codes (README "Exit codes"). Scripts branch on the class, not on the message: 3 means
 * "try again later", 4 "someone must grant or sign in", 6 and 7 "the thing is not as you think".
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  unavailable: 3,
  denied: 4,
  auditBroken: 5,
  notFound: 6,
  conflict: 7,
} as const;

/** The exit class of an HTTP status, for any code the table below does not name. */
function exitForStatus(status: number): number {
  if (status === 0 || status === 429 || status === 502 || status === 503 || status === 504)
    return EXIT.unavailable;
  if (status === 401 || status === 403) return EXIT.denied;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  if (status === 400 || status === 413 || status === 415 || status === 422) return EXIT.usage;
  return EXIT.failed;
}

/**
 * What to do next, for the codes an operator meets most; the server's message says what went wrong. Keyed by
 * the contract's ErrorCode: a hint for a code the API does not document fails to compile.
 */
const HINTS: Readonly<Partial<Record<ErrorCode, string>>> = {
  unauthenticated:
    'PAKAWAAZ_TOKEN is missing, expired or revoked: sign in again (`pakawaaz login`) or use a live API token.',
  forbidden: 'Your roles do not allow this: ask a super-admin, or use a token with the needed role.',
  insufficient_authentication:
    'This needs a stronger sign-in (a passkey, in the NOC): an access token from `pakawaaz login` cannot do it.',
  national_only: 'Only operators with a national role (no institution) may do this.',
  operator_route_on_device_port:
    'PAKAWAAZ_URL names the device port: point it at the main API port (the device port serves handsets).',
  out_of_scope: 'This belongs to an institution outside your scope.',
  validation_failed: 'Check the arguments against `pakawaaz <command> --help`.',
  rate_limited: 'Too many attempts: wait a minute and try again.',
  database_unavailable: 'The server cannot reach its database: retry shortly, or check `pakawaaz status`.',
  process_unavailable: "The server's lead process (RADIUS, push) is starting again: retry in a few seconds.",
  not_found: 'Check the name or id (the list commands show them).',
  internal_error: 'Quote the error id to the NOC.',
  webhook_secret_overlap_running:
    'Wait until then, or `pakawaaz chat bots rotate-secret <bot> --overlap-hours 0` to drop every old secret now (the receiver must verify with the newest already).',
  invalid_credentials: 'Check the username, password and code; repeated failures close the password step.',
  password_change_required: 'Sign in with --new-password-stdin to choose a new password first.',
  weak_password: 'Choose another password (the message says what this one lacks).',
  role_scope: 'Inside an institution, give only institution roles (see the roles table in the README).',
  two_person_rule: 'A second administrator, signed in as themselves, must approve (`users approve-reset`).',
  user_not_found: 'Check the username or id (`pakawaaz users list --search …`).',
  institution_not_found: 'Check the institution name or id (`pakawaaz institutions list`).',
  token_not_found: 'Check the token id (`pakawaaz tokens list`).',
  subscriber_not_found: 'Check the IMSI (`pakawaaz subscribers list --search …`).',
  sim_not_found: 'Import the SIM first (`pakawaaz sims import`), or check the IMSI (`pakawaaz sims list`).',
  sim_not_available:
    'The SIM is assigned or retired: `pakawaaz sims list --status available` shows free ones.',
  network_spec_missing: 'Apply a network spec first (`pakawaaz network apply --spec network.yaml`).',
  profile_not_found: 'Check the profile name (`pakawaaz profiles list`).',
  profile_in_use: 'Move its subscribers to another profile first.',
  spec_orphans_profiles:
    'Change or delete the named profiles first (`pakawaaz profiles save`), or keep what they need in the spec.',
  spec_orphans_static_addresses:
    "Move the named subscribers' static addresses first, or keep their DNN's ipv4.staticRange in the spec.",
  static_ip_in_use:
    "Pick another address in the DNN's ipv4.staticRange, or free this one on the named subscriber.",
  invalid_static_ip:
    "Use an address inside the profile's default DNN's ipv4.staticRange (`pakawaaz network show`).",
  open5gs_not_configured: 'Set OPEN5GS_MONGODB_URL on the server to sync with Open5GS.',
};

/** `network_error` (nothing answered) and timeouts become one message naming the URL and the way out. */
function unreachable(baseUrl: string, reason: string): CliError {
  return new CliError(
    `Cannot reach Pakawaaz at ${baseUrl} (${reason}). Is it running (npm start)? Set PAKAWAAZ_URL to point elsewhere.`,
    EXIT.unavailable,
  );
}

/** Turns a failed API call into the message and exit code the CLI prints; anything else is returned as is. */
export function cliErrorFor(err: unknown, baseUrl: string): unknown {
  if (err instanceof Error && err.name === 'TimeoutError')
    return unreachable(baseUrl, 'no answer within the time limit');
  if (!(err instanceof ApiError)) return err;
  if (err.code === 'network_error') {
    const cause = err.cause as { cause?: { code?: string; message?: string }; message?: string } | undefined;
    return unreachable(baseUrl, cause?.cause?.code ?? cause?.cause?.message ?? cause?.message ?? 'no answer');
  }
  const hint = (HINTS as Readonly<Record<string, string | undefined>>)[err.code];
  const issues = err.issues.map((i) => `\n  ${i.path || '(body)'}: ${i.message}`).join('');
  const request = err.requestId ? ` (request ${err.requestId})` : '';
  return new CliError(
    `${err.code}: ${err.message}${issues}${request}${hint ? `\n${hint}` : ''}`,
    exitForStatus(err.status),
  );
}
