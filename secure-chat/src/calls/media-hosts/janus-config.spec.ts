import { describe, expect, it } from 'vitest';
import { renderJanusConfig } from './janus-config.js';

const input = {
  configsFolder: '/data/janus',
  libFolder: '/usr/lib/x86_64-linux-gnu/janus',
  modules: {
    plugins: ['libjanus_videoroom.so', 'libjanus_echotest.so', 'libjanus_sip.so', 'README'],
    transports: ['libjanus_http.so', 'libjanus_websockets.so', 'libjanus_mqtt.so'],
    events: ['libjanus_sampleevh.so'],
    loggers: ['libjanus_jsonlog.so'],
  },
  adminSecret: 'a1b2c3',
  wsPort: 18188,
  adminPort: 17088,
  rtpPortRange: '20000-29999',
};
const files = renderJanusConfig(input);

describe('the embedded Janus configuration', () => {
  it('loads the VideoRoom plugin and the WebSocket and HTTP transports only', () => {
    const core = files['janus.jcfg']!;
    expect(core).toContain('disable = "libjanus_echotest.so,libjanus_sip.so"');
    expect(core).toContain('disable = "libjanus_mqtt.so"');
    expect(core).toContain('disable = "libjanus_sampleevh.so"');
    expect(core).toContain('disable = "libjanus_jsonlog.so"');
    expect(core).toContain('plugins_folder = "/usr/lib/x86_64-linux-gnu/janus/plugins"');
    expect(core).toContain('rtp_port_range = "20000-29999"');
  });

  it('binds the WebSocket API and the admin API to loopback, the public HTTP API off', () => {
    expect(files['janus.transport.websockets.jcfg']).toMatch(/ws_port = 18188\n\tws_ip = "127.0.0.1"/);
    const http = files['janus.transport.http.jcfg']!;
    expect(http).toContain('http = false');
    expect(http).toMatch(/admin_port = 17088\n\tadmin_ip = "127.0.0.1"/);
  });

  it('binds both to another address only when asked (a media test’s network namespace)', () => {
    const inNs = renderJanusConfig({ ...input, listenIp: '10.77.0.2' });
    expect(inNs['janus.transport.websockets.jcfg']).toContain('ws_ip = "10.77.0.2"');
    expect(inNs['janus.transport.http.jcfg']).toContain('admin_ip = "10.77.0.2"');
    expect(JSON.stringify(inNs)).not.toContain('127.0.0.1');
  });

  it('requires the admin secret for the admin API and for creating VideoRoom rooms', () => {
    expect(files['janus.jcfg']).toContain('admin_secret = "a1b2c3"');
    expect(files['janus.plugin.videoroom.jcfg']).toContain('admin_key = "a1b2c3"');
  });
});
