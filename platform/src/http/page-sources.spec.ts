import { describe, expect, it } from 'vitest';
import { PageConnectSources } from './page-sources.js';

describe('PageConnectSources (the web chat CSP connect-src)', () => {
  it('keeps the origins of ws, wss and https URLs only, deduplicated and sorted, per owner', () => {
    const s = new PageConnectSources();
    s.set('calls', [
      'wss://janus-2.dc.gov.example:8989/janus?x=1',
      'ws://10.77.0.2:8188/',
      'wss://janus-2.dc.gov.example:8989/other',
      'http://plain.example/',
      'javascript:alert(1)',
      "wss://a.example; script-src 'unsafe-inline'",
      'not a url',
    ]);
    expect(s.list()).toEqual(['ws://10.77.0.2:8188', 'wss://janus-2.dc.gov.example:8989']);
  });

  it('replaces an owner’s list, and unions the owners', () => {
    const s = new PageConnectSources();
    s.set('calls', ['wss://old.example/janus']);
    s.set('other', ['https://files.example/']);
    s.set('calls', ['wss://new.example/janus']);
    expect(s.list()).toEqual(['https://files.example', 'wss://new.example']);
    s.set('calls', []);
    expect(s.list()).toEqual(['https://files.example']);
  });
});
