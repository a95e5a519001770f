/**
 * The configuration of the embedded Janus (pure): the files of a configs folder that start Janus with the
 * VideoRoom plugin only, its WebSocket transport and its admin API on loopback, the admin secret required by
 * both the admin API and VideoRoom room creation (so no client can create or destroy rooms), and nothing else
 * (the other plugins, transports, event handlers and loggers of the Debian package disabled).
 */
export type JanusConfigInput = {
  /** Folder the files are written to (Janus reads every plugin's and transport's file from it). */
  configsFolder: string;
  /** The Debian package's module folders (plugins, transports, events, loggers). */
  libFolder: string;
  /** Every module file in each folder, so that all but the ones we use are disabled. */
  modules: { plugins: string[]; transports: string[]; events: string[]; loggers: string[] };
  adminSecret: string;
  wsPort: number;
  adminPort: number;
  /** UDP range for media (ICE candidates): a slice of its own, never Janus's default 10000-60000. */
  rtpPortRange: string;
  /** Address the WebSocket and admin API listen on: loopback unless a test puts Janus in a namespace. */
  listenIp?: string;
};

const USED = new Set(['libjanus_videoroom.so', 'libjanus_websockets.so', 'libjanus_http.so']);
const disabled = (files: string[]) =>
  files
    .filter((f) => f.endsWith('.so') && !USED.has(f))
    .sort()
    .join(',');
/** A libconfig string: the secret is hex and the paths ours, but quote them properly anyway. */
const str = (v: string) => JSON.stringify(v);

export function renderJanusConfig(c: JanusConfigInput): Record<string, string> {
  const ip = str(c.listenIp ?? '127.0.0.1');
  const lib = (sub: string) => str(`${c.libFolder}/${sub}`);
  return {
    'janus.jcfg': `general: {
\tconfigs_folder = ${str(c.configsFolder)}
\tplugins_folder = ${lib('plugins')}
\ttransports_folder = ${lib('transports')}
\tevents_folder = ${lib('events')}
\tloggers_folder = ${lib('loggers')}
\tlog_to_stdout = true
\tdebug_level = 3
\tserver_name = "pakawaaz-janus"
\tadmin_secret = ${str(c.adminSecret)}
}
media: {
\trtp_port_range = ${str(c.rtpPortRange)}
}
nat: {
\tnice_debug = false
}
plugins: {
\tdisable = ${str(disabled(c.modules.plugins))}
}
transports: {
\tdisable = ${str(disabled(c.modules.transports))}
}
events: {
\tbroadcast = false
\tdisable = ${str(disabled(c.modules.events))}
}
loggers: {
\tdisable = ${str(disabled(c.modules.loggers))}
}
`,
    'janus.transport.websockets.jcfg': `general: {
\tjson = "compact"
\tws = true
\tws_port = ${c.wsPort}
\tws_ip = ${ip}
\twss = false
}
admin: {
\tadmin_ws = false
\tadmin_wss = false
}
`,
    // The HTTP transport only for the admin API, on loopback; the public HTTP API stays off (clients use WS).
    'janus.transport.http.jcfg': `general: {
\tjson = "compact"
\thttp = false
\thttps = false
}
admin: {
\tadmin_base_path = "/admin"
\tadmin_http = true
\tadmin_port = ${c.adminPort}
\tadmin_ip = ${ip}
\tadmin_https = false
}
`,
    'janus.plugin.videoroom.jcfg': `general: {
\tadmin_key = ${str(c.adminSecret)}
\tlock_rtp_forward = true
\tstring_ids = false
}
`,
  };
}
