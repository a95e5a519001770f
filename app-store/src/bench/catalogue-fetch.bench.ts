import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createLogger,
  FileKeyBackend,
  KeyService,
  migrateDomains,
  openDatabase,
  platformDomain,
} from '@pakawaaz/platform';
import { parseSignerKey } from '@pakawaaz/transparency-log';
import Fastify from 'fastify';
import { appStoreDomain } from '../app-store.domain.js';
import { noneMatch } from '../catalogues/catalogues.controller.js';
import { CataloguesService } from '../catalogues/catalogues.service.js';
import { MemoryApkLog } from '../catalogues/memory-apk-log.js';

/**
 * The handsets' catalogue poll on the embedded database (PGlite, the default): BENCH_DEVICES devices (default
 * 10,000) spread over 20 institutions each fetch their catalogue once (200 and an ETag), then poll again with
 * If-None-Match — the 304 cheap path (the per-institution memory cache, one stored-version look-up per second
 * per institution). Measured over HTTP/1.1 keep-alive on Fastify (the server's adapter) in one process;
 * the device certificate check (mutual TLS and the guard) is not in it: that is device-check-in's bench.
 * Baseline, same run, same connections: a `/healthz` route answering a constant. Target: 5,000 polls/s.
 */
const DEVICES = Number(process.env.BENCH_DEVICES ?? 10_000);
const INSTITUTIONS = 20;
const IN_FLIGHT = 64;
const TARGET_PER_SECOND = 5_000;
const LOG_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const out = (line: string): void => void process.stdout.write(`${line}\n`);

type Result = { perSecond: number; p50: number; p99: number; failures: number };

async function load(n: number, op: (i: number) => Promise<boolean>): Promise<Result> {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < n) {
        const i = next++;
        const t0 = performance.now();
        if (await op(i).catch(() => false)) latencies.push(performance.now() - t0);
        else failures++;
      }
    }),
  );
  const elapsed = performance.now() - start;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { perSecond: (latencies.length * 1000) / elapsed, p50: at(0.5), p99: at(0.99), failures };
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pkz-catalogue-bench-'));
  const logger = createLogger({ level: 'silent' });
  const db = await openDatabase({ dataDir: 'memory://', logger });
  const app = Fastify({ logger: false });
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  try {
    await migrateDomains(db, [platformDomain, appStoreDomain], logger);
    const keys = new KeyService(new FileKeyBackend(), logger);
    const signer = await keys.useSigner({
      name: 'app-store-catalogue',
      file: path.join(dir, 'catalogue.jwk'),
      alg: 'ES256',
    });
    const catalogues = new CataloguesService(db, signer, new MemoryApkLog(parseSignerKey(LOG_SKEY), 'bench'));
    const institutions = Array.from({ length: INSTITUTIONS }, () => randomUUID());
    for (const id of institutions) await catalogues.publish(id);
    // The device table the guard would consult: device id → institution.
    const deviceInstitution = new Map<string, string>();
    const deviceIds = Array.from({ length: DEVICES }, (_, i) => {
      const id = randomUUID();
      deviceInstitution.set(id, institutions[i % INSTITUTIONS]!);
      return id;
    });

    app.get('/healthz', () => ({ status: 'ok' }));
    app.get('/api/v1/store/catalogue', async (req, reply) => {
      const institution = deviceInstitution.get(String(req.headers['x-device']));
      if (!institution) return reply.code(401).send({ code: 'unauthenticated' });
      const c = await catalogues.current(institution);
      reply.header('etag', c.etag).header('cache-control', 'no-cache');
      if (noneMatch(req.headers['if-none-match'], c.etag)) return reply.code(304).send();
      return { institutionId: c.institutionId, timestamp: c.timestamp, entry: c.entryJws, index: c.index };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;

    const get = (p: string, headers: Record<string, string>) =>
      new Promise<{ status: number; etag: string | undefined }>((resolve, reject) => {
        const r = request({ host: '127.0.0.1', port, path: p, headers, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag }));
        });
        r.on('error', reject);
        r.end();
      });

    const etags = new Array<string>(DEVICES);
    const first = await load(DEVICES, async (i) => {
      const r = await get('/api/v1/store/catalogue', { 'x-device': deviceIds[i]! });
      etags[i] = r.etag ?? '';
      return r.status === 200;
    });
    const baseline = await load(DEVICES, async () => (await get('/healthz', {})).status === 200);
    const polls = await load(DEVICES, async (i) => {
      const r = await get('/api/v1/store/catalogue', {
        'x-device': deviceIds[i]!,
        'if-none-match': etags[i]!,
      });
      return r.status === 304;
    });
    const line = (name: string, r: Result) =>
      out(
        `${name.padEnd(52)} ${fmt(r.perSecond).padStart(8)} /s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms${r.failures ? `  ${r.failures} failed` : ''}`,
      );
    out(`${DEVICES} devices, ${INSTITUTIONS} institutions, ${IN_FLIGHT} in flight, embedded PGlite`);
    line('GET /healthz (baseline)', baseline);
    line('first fetch (200, entry + index)', first);
    line('poll with If-None-Match (304)', polls);
    out(
      `304 polls at ${((polls.perSecond / baseline.perSecond) * 100).toFixed(0)}% of the baseline; ` +
        `target ${fmt(TARGET_PER_SECOND)} /s: ${polls.perSecond >= TARGET_PER_SECOND ? 'met' : 'NOT met'}`,
    );
  } finally {
    agent.destroy();
    await app.close();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}
