import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  estimateOpen5gsMemory,
  maxUeFor,
  OPEN5GS_METRICS,
  parseNetworkSpec,
  sgwusOf,
  upfsOf,
  scrapeNf,
  targetsFromSpec,
  type NetworkSpec,
  type ScrapeResult,
  type ScrapeTarget,
} from '@pakawaaz/core-network';
import { IDLE_OPEN5GS_KPIS, requireServices } from '@pakawaaz/test-support';
import { pfcpAssociatedPeers, readNfLog } from '../../src/open5gs-core/nf-logs.js';
import { nrfInstances, type NrfInstance } from '../../src/open5gs-core/nrf-client.js';
import {
  kernelHasSctp,
  MONGODB_FREE_NFS,
  netnsExists,
  OPEN5GS_PREFIX,
  readLogs,
  realCoreUnavailable,
  rssKb,
  startRealCore,
  type RealCore,
  type RealNf,
} from '../../src/open5gs-core/real-core.js';

/*
 * The real Open5GS 2.7.7 NFs with the files `pakawaaz open5gs render` writes for the demo spec: the 12 NFs
 * that run without MongoDB, in a throw-away network namespace, for well under a minute. Asserts that none
 * exits or logs a problem, that every SBI NF registers with the NRF, that SMF↔UPF and SGW-C↔SGW-U associate
 * over PFCP, and that the network-health monitor's scraper reads the real AMF/SMF/UPF/MME metrics and state
 * APIs. Build Open5GS with the lab build kit first (README "Real Open5GS"); without an install the suite is
 * skipped with a notice, and fails under PAKAWAAZ_REQUIRE_SERVICES=1 (CI).
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = path.join(ROOT, 'server/bin/pakawaaz.js');
const DEMO_SPEC = path.join(ROOT, 'core-network/src/network-spec/demo-network.yaml');
const SBI_NFS = ['nrf', 'scp', 'amf', 'smf', 'ausf', 'udm', 'nssf', 'bsf'] as const;
const METRICS_NFS = ['amf', 'smf', 'upf', 'mme'] as const;
/** How long the NFs get to register and associate (the whole run stays under 60 s). */
const READY_WITHIN_MS = 35_000;

const unavailable = realCoreUnavailable();
if (unavailable && requireServices())
  throw new Error(
    `The real Open5GS NFs cannot run: ${unavailable}. Build Open5GS (README "Real Open5GS") or unset PAKAWAAZ_REQUIRE_SERVICES.`,
  );
if (unavailable)
  console.warn(
    `\n[notice] real Open5GS test skipped: ${unavailable}. Set PAKAWAAZ_REQUIRE_SERVICES=1 to make this a failure.\n`,
  );

let work: string;
let spec: NetworkSpec;
let core: RealCore | undefined;
let nrf: NrfInstance[] = [];
let scrapes = new Map<string, [ScrapeResult, ScrapeResult]>();
const rss = new Map<RealNf, number | null>();
let readyAfterMs = 0;

describe.skipIf(unavailable !== null)('the real Open5GS NFs with Pakawaaz-rendered configs', () => {
  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--if-needed'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    work = await mkdtemp(path.join(tmpdir(), 'pkz-o5gs-real-'));
    const etc = path.join(work, 'etc');
    const log = path.join(work, 'log');
    await mkdir(log, { recursive: true });
    // The demo spec as written, but freeDiameter over TCP only where the kernel has no SCTP (`diameter.sctp:
    // false` renders `No_SCTP;`): the NFs run with the freeDiameter files `open5gs render` writes, not the
    // install's samples.
    const specFile = path.join(work, 'network.yaml');
    const demo = await readFile(DEMO_SPEC, 'utf8');
    await writeFile(specFile, kernelHasSctp() ? demo : `${demo}\ndiameter:\n  sctp: false\n`);
    const parsed = parseNetworkSpec(await readFile(specFile, 'utf8'));
    if (!parsed.ok) throw new Error('the demo spec does not parse');
    spec = parsed.spec;
    const fdDir = path.join(work, 'freeDiameter');
    const rendered = spawnSync(
      process.execPath,
      [
        CLI,
        'open5gs',
        'render',
        '--spec',
        specFile,
        '--out',
        etc,
        '--config-dir',
        etc,
        '--log-dir',
        log,
        '--freediameter-dir',
        fdDir,
        '--freediameter-extensions',
        path.join(OPEN5GS_PREFIX, 'lib/x86_64-linux-gnu/freeDiameter'),
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (rendered.status !== 0) throw new Error(`open5gs render failed: ${rendered.stderr}`);

    const nrfSbi = `${spec.nf.nrf.sbi.address}:${spec.nf.nrf.sbi.port}`;
    const metrics = targets().map((t) => new URL(t.metricsUrl).host);
    const started = Date.now();
    core = await startRealCore({
      configDir: etc,
      workDir: work,
      pools: spec.dnns.map((d) => ({
        gateway: d.ipv4.gateway ?? firstHost(d.ipv4.subnet),
        prefixLength: Number(d.ipv4.subnet.split('/')[1]),
      })),
      httpTargets: [nrfSbi, ...metrics],
      maxSeconds: 75,
    });

    // Until every SBI NF is registered and both PFCP pairs are associated (or the time is up).
    const deadline = started + READY_WITHIN_MS;
    for (;;) {
      nrf = await nrfInstances(core.url(nrfSbi)).catch(() => []);
      const logs = await readLogs(log);
      const registered = new Set(nrf.filter((i) => i.nfStatus === 'REGISTERED').map((i) => i.nfType));
      const associated = ['smf', 'upf', 'sgwc', 'sgwu'].every(
        (nf) => pfcpAssociatedPeers(logs.get(`${nf}.log`) ?? '').length > 0,
      );
      if ((SBI_NFS.every((nf) => registered.has(nf.toUpperCase())) && associated) || Date.now() > deadline)
        break;
      await new Promise((r) => setTimeout(r, 500));
    }
    readyAfterMs = Date.now() - started;
    for (const nf of MONGODB_FREE_NFS) {
      const pid = core.nfPid(nf);
      rss.set(nf, pid === null ? null : rssKb(pid));
    }

    // Two scrapes a second apart, as the monitor does (counter KPIs need an interval).
    const scrape = (t: ScrapeTarget, previous: ScrapeResult | null) =>
      scrapeNf(t, previous?.ok ? previous.snapshot : null, new Date(), true, {
        timeoutMs: 3_000,
        maxBytes: 4 * 1024 * 1024,
        statePages: 10,
      });
    const first = await Promise.all(targets().map((t) => scrape(relayed(t), null)));
    await new Promise((r) => setTimeout(r, 1_000));
    const second = await Promise.all(targets().map((t, i) => scrape(relayed(t), first[i]!)));
    scrapes = new Map(targets().map((t, i) => [t.nf, [first[i]!, second[i]!]]));
    printReport();
  }, 120_000);

  afterAll(async () => {
    await core?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('starts every NF that needs no MongoDB, and none exits', () => {
    expect(core!.exited()).toEqual([]);
    for (const nf of MONGODB_FREE_NFS) expect(rss.get(nf), `${nf} is running`).toBeGreaterThan(0);
  });

  it('logs no ERROR, FATAL, unknown key or WARNING beyond the documented harmless ones', async () => {
    const logs = await readLogs(path.join(work, 'log'));
    for (const nf of MONGODB_FREE_NFS) {
      const text = (logs.get(`${nf}.log`) ?? '') + (await core!.output(nf));
      expect(text, `${nf} wrote a log`).toMatch(/INFO/);
      const findings = readNfLog(text);
      expect({ nf, problems: findings.problems, warnings: findings.warnings }).toEqual({
        nf,
        problems: [],
        warnings: [],
      });
    }
  });

  it('registers every SBI NF with the NRF (nnrf-nfm over HTTP/2), with the PLMN of the spec', () => {
    const types = nrf.map((i) => i.nfType).sort();
    expect(types).toEqual(SBI_NFS.map((nf) => nf.toUpperCase()).sort());
    for (const i of nrf) expect(i.nfStatus, i.nfType).toBe('REGISTERED');
    const amf = nrf.find((i) => i.nfType === 'AMF') as unknown as { plmnList?: unknown[] };
    expect(amf.plmnList).toContainEqual({ mcc: spec.plmn.mcc, mnc: spec.plmn.mnc });
  });

  it('associates SMF↔UPF and SGW-C↔SGW-U over PFCP, at the addresses of the spec', async () => {
    const logs = await readLogs(path.join(work, 'log'));
    const peers = (nf: string) => pfcpAssociatedPeers(logs.get(`${nf}.log`) ?? '');
    // The demo spec has one UPF and one SGW-U.
    const [upf] = upfsOf(spec);
    const [sgwu] = sgwusOf(spec);
    expect(peers('smf')).toEqual([upf?.node.pfcp.address]);
    expect(peers('upf')).toEqual([spec.nf.smf.pfcp.address]);
    expect(peers('sgwc')).toEqual([sgwu?.node.pfcp.address]);
    expect(peers('sgwu')).toEqual([spec.nf.sgwc.pfcp.address]);
  });

  it('the network-health scraper reads the real AMF, SMF, UPF and MME: metrics, KPIs of an idle core, state APIs', () => {
    expect([...scrapes.keys()].sort()).toEqual([...METRICS_NFS].sort());
    for (const [nf, [first, second]] of scrapes) {
      if (!first.ok || !second.ok)
        throw new Error(`${nf}: ${first.ok ? '' : first.error} ${second.ok ? '' : second.error}`);
      // Every family the KPIs read exists under that exact name (declared, if not yet used).
      const families = second.snapshot.exposition.families;
      const expected = Object.values(OPEN5GS_METRICS[nf as keyof typeof OPEN5GS_METRICS]).filter(
        (name) => name !== OPEN5GS_METRICS.smf.sessionsActiveLegacy,
      );
      expect(
        expected.filter((name) => !families.has(name)),
        `${nf} lacks`,
      ).toEqual([]);
      expect(second.state?.errors ?? [], `${nf} state API`).toEqual([]);
    }
    const kpis = (nf: string) => scrapes.get(nf)![1].ok && (scrapes.get(nf)![1] as { kpis: object }).kpis;
    // No gNB, eNB or UE: every gauge is 0 and every counter grew by 0 over the interval.
    for (const nf of ['amf', 'smf', 'upf', 'mme'] as const)
      expect(kpis(nf), nf).toEqual(IDLE_OPEN5GS_KPIS[nf]);
    const state = (nf: string) => {
      const r = scrapes.get(nf)![1];
      return r.ok ? r.state : null;
    };
    expect(state('amf')).toMatchObject({ ranNodes: [], ues: { count: 0, connected: 0, complete: true } });
    expect(state('mme')).toMatchObject({ ranNodes: [], ues: { count: 0, connected: 0, complete: true } });
    expect(state('smf')).toMatchObject({ pduSessions: { ues: 0, sessions: 0, active: 0, complete: true } });
  });

  it('uses about the memory `open5gs render` announces for max.ue (measured RSS, ±40 %)', () => {
    const measured = MONGODB_FREE_NFS.reduce((sum, nf) => sum + (rss.get(nf) ?? 0), 0) / 1024;
    const estimate = estimateOpen5gsMemory(maxUeFor(spec.expectedUeCount)).totalMb;
    expect(measured).toBeGreaterThan(estimate * 0.6);
    expect(measured).toBeLessThan(estimate * 1.4);
  });

  it('stops every NF and removes the namespace', async () => {
    const netns = core!.netns;
    const pids = MONGODB_FREE_NFS.map((nf) => core!.nfPid(nf)).filter((p): p is number => p !== null);
    await core!.stop();
    core = undefined;
    expect(netnsExists(netns)).toBe(false);
    expect(pids.filter((p) => rssKb(p) !== null)).toEqual([]);
  });
});

function targets(): ScrapeTarget[] {
  return targetsFromSpec(spec).filter((t) => (METRICS_NFS as readonly string[]).includes(t.nf));
}

/** The same target, reached through the relay into the namespace. */
function relayed(t: ScrapeTarget): ScrapeTarget {
  const via = (u: string) => {
    const url = new URL(u);
    return `${core!.url(url.host)}${url.pathname}`;
  };
  return { ...t, metricsUrl: via(t.metricsUrl), ...(t.stateUrl ? { stateUrl: via(t.stateUrl) } : {}) };
}

function firstHost(cidr: string): string {
  const [net] = cidr.split('/');
  const parts = net!.split('.').map(Number);
  parts[3] = parts[3]! + 1;
  return parts.join('.');
}

/** The result table, for the run's log (and the README's numbers). */
function printReport(): void {
  const registered = new Set(nrf.map((i) => i.nfType.toLowerCase()));
  const rows = MONGODB_FREE_NFS.map((nf) => {
    const exited = core!.exited().find((e) => e.nf === nf);
    const reg = (SBI_NFS as readonly string[]).includes(nf) ? (registered.has(nf) ? 'yes' : 'NO') : '-';
    const kb = rss.get(nf);
    return `${nf.padEnd(5)} ${exited ? `EXITED ${exited.code ?? exited.signal}` : 'running'.padEnd(9)} nrf:${reg.padEnd(4)} rss:${kb ? `${Math.round(kb / 1024)} MB` : '?'}`;
  });
  const total = MONGODB_FREE_NFS.reduce((s, nf) => s + (rss.get(nf) ?? 0), 0);
  console.log(
    `\n[open5gs real NFs] ready after ${readyAfterMs} ms; netns ${core!.netns}; sctp2tcp shim: ${core!.shimmed.join(', ') || 'none'}\n` +
      `${rows.join('\n')}\ntotal RSS ${Math.round(total / 1024)} MB at max.ue ${maxUeFor(spec.expectedUeCount)}\n`,
  );
}
