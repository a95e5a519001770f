import { describe, expect, it } from 'vitest';
import { pfcpAssociatedPeers, readNfLog } from './nf-logs.js';

// Lines as Open5GS 2.7.7 prints them (lib/core/ogs-log.c): file logs plain, the terminal with ANSI colours.
const PATCH_WARNING =
  '12/04 22:31:07.912: [sbi] WARNING: libcurl 7.88.1: HTTP/2 connection reuse is broken (curl #10634); using one connection per SBI request (../lib/sbi/client.c:32)';

describe('readNfLog', () => {
  it('passes INFO lines and the documented patch 0001 warning, with its reason', () => {
    const r = readNfLog(
      [
        "12/04 22:31:07.900: [app] INFO: Configuration: '/tmp/etc/amf.yaml' (../lib/app/ogs-init.c:144)",
        PATCH_WARNING,
        PATCH_WARNING.replace('07.912', '17.912'),
      ].join('\n'),
    );
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.allowed).toHaveLength(1);
    expect(r.allowed[0]!.reason).toContain('curl #10634');
  });

  it('reports ERROR, FATAL and unknown key lines once each, without the timestamp, colours stripped', () => {
    const r = readNfLog(
      [
        '\u001b[31m12/04 22:31:07.900: [app] FATAL: cannot open log file (../lib/core/ogs-log.c:99)\u001b[0m',
        '12/04 22:31:08.000: [app] WARNING: unknown key `maxx` (../lib/app/ogs-config.c:311)',
        '12/04 22:31:09.000: [sbi] ERROR: HTTP Response Status Code [500] (../lib/sbi/nf-sm.c:1)',
        '12/04 22:31:10.000: [sbi] ERROR: HTTP Response Status Code [500] (../lib/sbi/nf-sm.c:1)',
        '12/04 22:31:11.000: [pfcp] WARNING: Retry association with peer [127.0.0.7]:8805 failed (../lib/pfcp/xact.c:1)',
      ].join('\n'),
    );
    expect(r.problems).toEqual([
      '[app] FATAL: cannot open log file (../lib/core/ogs-log.c:99)',
      '[app] WARNING: unknown key `maxx` (../lib/app/ogs-config.c:311)',
      '[sbi] ERROR: HTTP Response Status Code [500] (../lib/sbi/nf-sm.c:1)',
    ]);
    expect(r.warnings).toEqual([
      '[pfcp] WARNING: Retry association with peer [127.0.0.7]:8805 failed (../lib/pfcp/xact.c:1)',
    ]);
  });
});

describe('pfcpAssociatedPeers', () => {
  it('reads the peer of each "PFCP associated" line (ogs_sockaddr_to_string_static: [addr]:port)', () => {
    const log = [
      '12/04 22:31:09.000: [smf] INFO: PFCP associated [127.0.0.7]:8805 (../src/smf/pfcp-sm.c:189)',
      '12/04 22:31:19.000: [smf] INFO: PFCP associated [127.0.0.7]:8805 (../src/smf/pfcp-sm.c:189)',
      '12/04 22:31:19.000: [smf] INFO: PFCP de-associated [127.0.0.8]:8805 (../src/smf/pfcp-sm.c:205)',
    ].join('\n');
    expect(pfcpAssociatedPeers(log)).toEqual(['127.0.0.7']);
    expect(pfcpAssociatedPeers('PFCP associated 10.0.0.1:8805')).toEqual(['10.0.0.1']);
  });
});

describe('ALLOWED_LOG_LINES', () => {
  it('passes the NRF-notify start-up race of the real AMF (seen in the real-NF run) but not its invalid-state ERROR', () => {
    const r = readNfLog(
      [
        '12/04 22:54:00.713: [sbi] WARNING: [98719362-f035-41f1-8093-9ba66fa9d89d] (NRF-notify) NF has already been added [type:UDM] (../lib/sbi/nnrf-handler.c:1156)',
        '12/04 22:54:00.713: [sbi] WARNING: UnRef NF EndPoint(addr) [127.0.0.12:80] (../lib/sbi/context.c:2446)',
        '12/04 22:54:00.713: [sbi] ERROR: [98719362-f035-41f1-8093-9ba66fa9d89d] (NRF-notify) NF invalid state [type:UDM] (../lib/sbi/nnrf-handler.c:1160)',
      ].join('\n'),
    );
    expect(r.allowed).toHaveLength(2);
    expect(r.warnings).toEqual([]);
    expect(r.problems).toHaveLength(1);
  });
});
