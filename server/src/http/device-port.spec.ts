import { loadPlatformConfig } from '@pakawaaz/platform';
import { describe, expect, it, vi } from 'vitest';
import { DOMAINS } from '../domains.js';
import { openDevicePort } from './device-port.js';

const logger = () => ({ warn: vi.fn(), info: vi.fn(), error: vi.fn(), debug: vi.fn() });
const edge = { clientCas: vi.fn(), serverIdentity: vi.fn() };
const open = (env: Record<string, string>, withEdge: boolean, log = logger()) =>
  openDevicePort({
    config: loadPlatformConfig(env, '/srv/pakawaaz', DOMAINS),
    edge: withEdge ? edge : undefined,
    handler: () => undefined,
    logger: log as never,
    listen: true,
  });

describe('openDevicePort', () => {
  it('stays closed when PAKAWAAZ_DEVICE_PORT is 0, and says so', async () => {
    const port = await open({ PAKAWAAZ_DEVICE_PORT: '0' }, true);
    expect(port.state).toEqual({ open: false, reason: 'off (PAKAWAAZ_DEVICE_PORT=0)' });
    expect(edge.clientCas).not.toHaveBeenCalled();
  });

  it('is not opened on a node without device management (no DEVICE_EDGE_TLS), with a warning saying why', async () => {
    const log = logger();
    const port = await open({}, false, log);
    expect(port.state.open).toBe(false);
    expect(!port.state.open && port.state.reason).toMatch(/device management .* not served on this node/);
    expect(log.warn).toHaveBeenCalledOnce();
    await port.close();
  });
});
