import { describe, expect, it } from 'vitest';
import { retryDelay } from './bot-webhooks.service.js';
import { loadBotsConfig, webhookUrlProblem } from './bots.config.js';

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

  it('defaults: 60 sends a minute, bursts of 20, https only', () => {
    const { secretsKeyFile, ...rest } = loadBotsConfig({});
    expect(secretsKeyFile).toMatch(/\/\.pakawaaz\/keys\/bot-secrets\.key$/);
    expect(rest).toEqual({
      sendsPerMinute: 60,
      sendBurst: 20,
      webhookTimeoutMs: 10_000,
      maxBackoffMs: 600_000,
      loopbackHttp: false,
      webhookHosts: [],
    });
  });
});
