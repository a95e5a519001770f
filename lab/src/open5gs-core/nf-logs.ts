/**
 * What an Open5GS NF's log says, read the way an operator would: every ERROR, FATAL and `unknown key` line is
 * a problem unless it is listed below with the reason it is harmless; WARNING lines are reported too, and
 * must be listed to pass. Pure: log text in, findings out.
 *
 * Open5GS 2.7 log lines look like `12/04 21:50:01.123: [sbi] WARNING: … (../lib/sbi/client.c:34)`; on a
 * terminal they carry ANSI colours, which are stripped first.
 */

/** A log line that is expected and harmless, with the reason (shown in reports and reviewed in code review). */
export type AllowedLogLine = { readonly pattern: RegExp; readonly reason: string };

export const ALLOWED_LOG_LINES: readonly AllowedLogLine[] = [
  {
    // Printed once per SBI process by the build kit's patch 0001 (lib/sbi/client.c).
    pattern: /WARNING: libcurl 7\.8[78]\.\d+: HTTP\/2 connection reuse is broken \(curl #10634\)/,
    reason:
      "patch 0001: Debian bookworm's libcurl 7.88.1 breaks HTTP/2 connection reuse (curl #10634); the SBI " +
      'client opens one connection per request instead, and says so once',
  },
  {
    // lib/sbi/nnrf-handler.c: an NF_REGISTERED notification for an NF this one already learned by discovery.
    pattern: /WARNING: \[[0-9a-f-]+\] \(NRF-notify\) NF has already been added \[type:[A-Z]+\]/,
    reason:
      'start-up race: the NRF notifies an NF (the AMF) of a peer it already discovered; Open5GS then updates the ' +
      'profile (an invalid state would be a separate ERROR)',
  },
  {
    // lib/sbi/context.c: the endpoint of the profile replaced by that update is released.
    pattern: /WARNING: UnRef NF EndPoint\(addr\) \[[0-9a-fA-F.:[\]]+\]/,
    reason: 'follows the profile update above: the replaced SBI endpoint of that peer is released',
  },
];

export type LogFindings = {
  /** ERROR / FATAL / `unknown key` lines that are not allowed: each one fails the run. */
  readonly problems: string[];
  /** WARNING lines that are not allowed: also a failure (a warning is how Open5GS reports a bad setting). */
  readonly warnings: string[];
  /** Allowed lines, with the reason, for the report. */
  readonly allowed: { readonly line: string; readonly reason: string }[];
};

// eslint-disable-next-line no-control-regex -- the ESC of ANSI colour codes is the point
const ANSI = /\u001b\[[0-9;]*m/g;

export const stripAnsi = (text: string): string => text.replace(ANSI, '');

/** The message part of a line, without the timestamp (so repeated lines collapse). */
const message = (line: string) => line.replace(/^\d\d\/\d\d \d\d:\d\d:\d\d\.\d+: /, '').trim();

export function readNfLog(text: string): LogFindings {
  const problems = new Set<string>();
  const warnings = new Set<string>();
  const allowed = new Map<string, string>();
  for (const raw of stripAnsi(text).split('\n')) {
    const line = message(raw);
    const bad = /\b(ERROR|FATAL):|unknown key/.test(line);
    const warn = /\bWARNING:/.test(line);
    if (!bad && !warn) continue;
    const allow = ALLOWED_LOG_LINES.find((a) => a.pattern.test(line));
    if (allow) allowed.set(line, allow.reason);
    else if (bad) problems.add(line);
    else warnings.add(line);
  }
  return {
    problems: [...problems],
    warnings: [...warnings],
    allowed: [...allowed].map(([line, reason]) => ({ line, reason })),
  };
}

/** Peers a PFCP node logged `PFCP associated <addr>:<port>` for (SMF, UPF, SGW-C and SGW-U all log it). */
export function pfcpAssociatedPeers(text: string): string[] {
  const peers = new Set<string>();
  for (const m of stripAnsi(text).matchAll(/\bPFCP associated \[?([0-9a-fA-F.:]+?)\]?:(\d+)\b/g))
    peers.add(m[1]!);
  return [...peers];
}
