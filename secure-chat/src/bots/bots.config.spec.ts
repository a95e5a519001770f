import { describe, expect, it } from 'vitest';
import { retryDelay } from './bot-webhooks.service.js';
import {
  addressProblem,
  embeddedIpv4,
  loadBotsConfig,
  redactedWebhookUrl,
  webhookUrlProblem,
} from './bots.config.js';

describe('bot webhook URLs', () => {
  it('takes https only, and http to loopback in lab mode', () => {
    expect(webhookUrlProblem('https://eoffice.interior.gov.example/pakawaaz', false)).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.1:8099/webhook', false)).toBe('not https');
    expect(webhookUrlProblem('http://127.0.0.1:8099/webhook', true)).toBeNull();
    expect(webhookUrlProblem('http://[::1]:8099/webhook', true)).toBeNull();
    expect(webhookUrlProblem('http://eoffice.example/hook', true)).toMatch(/loopback/);
    expect(webhookUrlProblem('ftp://eoffice.example/hook', false)).toBe('not https');
  });

  it('refuses credentials, fragments and what is not a URL', () => {
    expect(webhookUrlProblem('https://user:pw@eoffice.example/hook', false)).toBe('credentials in the URL');
    expect(webhookUrlProblem('https://eoffice.example/hook#x', false)).toBe('a fragment');
    expect(webhookUrlProblem('eoffice', false)).toBe('not a URL');
    // Never the server itself or link-local (cloud metadata), whatever the scheme.
    for (const u of [
      'https://127.0.0.1/hook',
      'https://[::1]/hook',
      'https://169.254.169.254/latest',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[fe80::1]/hook',
      'https://0.0.0.0/hook',
      'https://localhost/hook',
      'https://admin.localhost/hook',
    ])
      expect(webhookUrlProblem(u, true), u).toMatch(/loopback/);
    // Not with an allow-list either: cloud metadata in a private range (AWS IMDS over IPv6, Alibaba), and
    // deprecated site-local IPv6 with or without one.
    const listed = ['eoffice.gov.example'];
    for (const u of [
      'https://[fd00:ec2::254]/latest',
      'https://100.100.100.200/latest',
      'https://[fec0::1]/h',
    ])
      expect(webhookUrlProblem(u, false, listed), u).toMatch(/cloud metadata/);
    expect(webhookUrlProblem('https://[fec0::1]/h', false), 'fec0').toMatch(/cloud metadata/);
    // A trailing dot is the same name: checked as it (localhost. is loopback), and otherwise refused.
    for (const u of ['https://localhost./hook', 'https://localhost../hook', 'https://admin.localhost./hook'])
      expect(webhookUrlProblem(u, true), u).toBe('a loopback address');
    expect(webhookUrlProblem('https://eoffice.example./hook', false)).toMatch(/ending in a dot/);
    expect(webhookUrlProblem('https://eoffice.gov.example./h', false, ['eoffice.gov.example'])).toMatch(
      /ending in a dot/,
    );
    expect(webhookUrlProblem('https://evil.example./h', false, ['eoffice.gov.example'])).toMatch(
      /WEBHOOK_HOSTS/,
    );
    // Without an allow-list, public addresses only: no private network.
    expect(webhookUrlProblem('https://10.0.0.5/h', false)).toMatch(/private/);
    expect(webhookUrlProblem('https://[fd00::5]/h', false)).toMatch(/private/);
    // With an allow-list, only its hosts (a leading dot: the domain and its subdomains).
    const hosts = ['eoffice.gov.example', '.interior.gov.example'];
    expect(webhookUrlProblem('https://eoffice.gov.example/h', false, hosts)).toBeNull();
    expect(webhookUrlProblem('https://a.interior.gov.example/h', false, hosts)).toBeNull();
    expect(webhookUrlProblem('https://10.0.0.5/h', false, hosts)).toMatch(/WEBHOOK_HOSTS/);
    expect(webhookUrlProblem('https://eoffice.gov.example.evil/h', false, hosts)).toMatch(/WEBHOOK_HOSTS/);
    expect(
      loadBotsConfig({ PAKAWAAZ_CHAT_BOT_WEBHOOK_HOSTS: ' A.example, .b.example ' }).webhookHosts,
    ).toEqual(['a.example', '.b.example']);
    expect(
      loadBotsConfig({ PAKAWAAZ_CHAT_BOT_WEBHOOK_HOSTS: 'a.example., .b.example.' }).webhookHosts,
    ).toEqual(['a.example', '.b.example']);
  });
});

describe('bot webhook retries', () => {
  it('doubles from one second up to the cap, within ±20 % jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4].map((a) => retryDelay(a, 600_000, mid))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelay(40, 600_000, mid)).toBe(600_000);
    expect(retryDelay(1, 600_000, () => 0)).toBe(800);
    expect(retryDelay(1, 600_000, () => 1)).toBe(1200);
  });

  it("a drain lease outlasts a batch's POST: twice the webhook timeout and 30 s", () => {
    expect(loadBotsConfig({ PAKAWAAZ_CHAT_BOT_WEBHOOK_TIMEOUT_SECONDS: '120' }).drainLeaseMs).toBe(270_000);
  });

  it('defaults: 60 sends a minute, bursts of 20, https only', () => {
    const { secretsKeyFile, ...rest } = loadBotsConfig({});
    expect(secretsKeyFile).toMatch(/\/\.pakawaaz\/keys\/bot-secrets\.key$/);
    expect(rest).toEqual({
      sendsPerMinute: 60,
      sendBurst: 20,
      webhookTimeoutMs: 10_000,
      maxBackoffMs: 600_000,
      webhookConcurrency: 16,
      maxBotsPerInstitution: 50,
      secretOverlapMs: 86_400_000,
      drainLeaseMs: 50_000,
      sweepMs: 15_000,
      loopbackHttp: false,
      webhookHosts: [],
    });
  });
});

describe('webhook addresses: IPv4 inside IPv6, reserved ranges', () => {
  const open = { loopback: false, privateNetworks: false };
  it('finds the IPv4 address an IPv6 one carries', () => {
    expect(embeddedIpv4('64:ff9b::a9fe:a9fe')).toBe('169.254.169.254');
    expect(embeddedIpv4('::127.0.0.1')).toBe('127.0.0.1');
    expect(embeddedIpv4('2002:7f00:1::')).toBe('127.0.0.1');
    expect(embeddedIpv4('::ffff:0:10.0.0.5')).toBe('10.0.0.5');
    expect(embeddedIpv4('::ffff:a00:5')).toBe('10.0.0.5');
    expect(embeddedIpv4('2a00:1450:4001:80b::200e')).toBeNull();
    expect(embeddedIpv4('::1')).toBeNull();
  });

  it('refuses what the embedded IPv4 address would be refused for', () => {
    for (const a of [
      '64:ff9b::a9fe:a9fe',
      '::127.0.0.1',
      '::a9fe:a9fe',
      '2002:7f00:1::',
      '::ffff:0:127.0.0.1',
    ])
      expect(addressProblem(a, open), a).toMatch(/loopback/);
    expect(addressProblem('64:ff9b::a00:5', open)).toMatch(/private/);
    expect(addressProblem('2002:c0a8:101::1', open)).toMatch(/private/);
    expect(addressProblem('64:ff9b::a00:5', { ...open, privateNetworks: true })).toBeNull();
    expect(addressProblem('64:ff9b::808:808', open)).toBeNull();
    expect(webhookUrlProblem('https://[64:ff9b::a9fe:a9fe]/latest', false)).toMatch(/loopback/);
  });

  it('refuses multicast and reserved ranges, whatever the allow-list', () => {
    for (const a of [
      '198.18.0.1',
      '198.19.255.255',
      '192.0.0.170',
      '240.0.0.1',
      '255.255.255.255',
      '224.0.0.1',
    ])
      expect(addressProblem(a, { ...open, privateNetworks: true }), a).toMatch(/multicast or reserved/);
    for (const a of ['ff02::1', '2001:0:4136:e378:8000:63bf:3fff:fdd2', '64:ff9b:1::a00:5'])
      expect(addressProblem(a, open), a).toMatch(/multicast or reserved/);
    expect(addressProblem('8.8.8.8', open)).toBeNull();
    expect(addressProblem('::1', { loopback: true, privateNetworks: false })).toBeNull();
  });
});

describe('webhook URLs as a viewer and the audit log see them', () => {
  it('drop the query string and credentials, keep scheme, host, port and path', () => {
    expect(redactedWebhookUrl('https://eoffice.gov.example:8443/hooks/chat?code=s3cret&x=1')).toBe(
      'https://eoffice.gov.example:8443/hooks/chat?[redacted]',
    );
    expect(redactedWebhookUrl('https://u:pw@eoffice.gov.example/h')).toBe('https://eoffice.gov.example/h');
    expect(redactedWebhookUrl('https://eoffice.gov.example/h')).toBe('https://eoffice.gov.example/h');
    expect(redactedWebhookUrl('not a url ?code=s3cret')).toBe('[not a URL]');
  });
});
