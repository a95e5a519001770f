import type { RegisterCommands } from './context.js';

/** A command module (commands/<domain>.ts), imported only when one of its commands runs. */
type Module = () => Promise<RegisterCommands>;

const server: Module = async () => (await import('./commands/server.js')).registerServerCommands;
const chat: Module = async () => (await import('./commands/chat.js')).registerChatCommands;
const identity: Module = async () => (await import('./commands/identity.js')).registerIdentityCommands;
const users: Module = async () => (await import('./commands/users.js')).registerUserCommands;
const userImports: Module = async () =>
  (await import('./commands/user-imports.js')).registerUserImportCommands;
const radius: Module = async () => (await import('./commands/radius.js')).registerRadiusCommands;
const audit: Module = async () => (await import('./commands/audit.js')).registerAuditCommands;
const sims: Module = async () => (await import('./commands/sims.js')).registerSimCommands;
const subscribers: Module = async () =>
  (await import('./commands/subscribers.js')).registerSubscriberCommands;
const profiles: Module = async () => (await import('./commands/profiles.js')).registerProfileCommands;
const milenage: Module = async () => (await import('./commands/milenage.js')).registerMilenageCommands;
const attestation: Module = async () =>
  (await import('./commands/attestation.js')).registerAttestationCommands;
const apk: Module = async () => (await import('./commands/apk.js')).registerApkCommands;
const devices: Module = async () => (await import('./commands/devices.js')).registerDeviceCommands;
const network: Module = async () => (await import('./commands/network.js')).registerNetworkCommands;
const networkHealth: Module = async () =>
  (await import('./commands/network-health.js')).registerNetworkHealthCommands;
const deviceGroups: Module = async () =>
  (await import('./commands/device-groups.js')).registerDeviceGroupCommands;
const deviceCommands: Module = async () =>
  (await import('./commands/device-commands.js')).registerDeviceCommandCommands;
const os: Module = async () => (await import('./commands/os.js')).registerOsCommands;
const store: Module = async () => (await import('./commands/store.js')).registerStoreCommands;
const chatBots: Module = async () => (await import('./commands/chat-bots.js')).registerChatBotCommands;
const lab: Module = async () => (await import('./commands/lab.js')).registerLabCommands;
const calls: Module = async () => (await import('./commands/calls.js')).registerCallsCommands;

export type TopLevelCommand = {
  /** The line `pakawaaz --help` prints: the command's description, word for word. */
  description: string;
  /** What follows the name in that list, as commander prints it: `[options]` when it has options, `<args>`. */
  args?: string;
  /**
   * Every module that adds to this command (a module may add subcommands to another's command), in the
   * order they register, with any module the others need first.
   */
  modules: Module[];
};

/**
 * Every top-level command of `pakawaaz`, in the order `--help` lists them. `pakawaaz <name> …` imports only
 * the modules listed for <name>; `pakawaaz --help` (and an unknown command) is answered from this table
 * without importing any. A new top-level command is one entry here; a new subcommand of an existing one
 * needs nothing, unless it lives in a module not yet listed for that command. cli-manifest.spec.ts fails
 * when this table and the modules disagree, and prints the entry to write.
 */
export const COMMANDS: Readonly<Record<string, TopLevelCommand>> = {
  start: {
    description: 'run the control plane (embedded database unless DATABASE_URL is set)',
    args: '[options]',
    modules: [server],
  },
  migrate: {
    description:
      'apply pending database migrations of every domain and exit (the server also migrates at start-up)',
    modules: [server],
  },
  status: { description: 'readiness of the running server', args: '[options]', modules: [server] },
  login: {
    description: 'sign in as a NOC operator and print an access token (for PAKAWAAZ_TOKEN)',
    args: '[options]',
    modules: [identity],
  },
  tokens: { description: 'API tokens for automation (super-admin)', modules: [identity] },
  institutions: { description: 'ministries and departments (super-admin)', modules: [users] },
  rollout: {
    description: 'the national rollout: phases, what each enables, institutions per phase',
    modules: [users],
  },
  users: { description: 'officials and NOC operators', modules: [users, userImports] },
  // user-imports adds `users import`, so it needs the users module registered before it.
  'directory-sync': { description: 'officials from LDAP / Active Directory', modules: [users, userImports] },
  radius: { description: 'RADIUS server: NAS clients and accounting', modules: [radius] },
  audit: { description: 'the hash-chained audit log', modules: [audit] },
  sims: { description: 'SIM inventory (K/OPc are encrypted at rest and never shown)', modules: [sims] },
  subscribers: { description: 'SIMs assigned to officials, as Open5GS sees them', modules: [subscribers] },
  profiles: {
    description: 'subscriber profile templates (AMBR, slices, DNNs, QoS)',
    modules: [profiles],
  },
  milenage: {
    description:
      'compute MILENAGE f1-f5* (TS 35.206) locally and print mac_a, mac_s, res, ck, ik, ak, ak_star as JSON',
    args: '[options]',
    modules: [milenage],
  },
  attestation: { description: 'Android Key Attestation chains, inspected offline', modules: [attestation] },
  apk: { description: 'Android packages, inspected offline', modules: [apk] },
  network: { description: 'the private LTE/5G core (Open5GS)', modules: [network, networkHealth] },
  open5gs: { description: 'Open5GS configuration and data', modules: [network] },
  alarms: { description: 'alarms raised by the network health monitor', modules: [networkHealth] },
  devices: {
    description: 'hardened handsets: enrolment, commands, policies',
    modules: [devices, deviceCommands, deviceGroups],
  },
  os: {
    description: 'hardened OS: models, verified-boot keys, releases, OTA payloads, rollouts',
    modules: [os],
  },
  store: { description: 'the app store: publish APKs and follow their review', modules: [store] },
  calls: { description: 'calls: media hosts (Janus), TURN and call records', modules: [calls] },
  chat: {
    description: 'secure chat: per-institution policies, legal holds and e-Office bots',
    modules: [chat, chatBots],
  },
  lab: { description: 'simulated handsets against a running server (demo, tests, load)', modules: [lab] },
};

/** Every module once, in the order the table first names them (the order they register in a full build). */
export const ALL_MODULES: readonly Module[] = [...new Set(Object.values(COMMANDS).flatMap((c) => c.modules))];

/**
 * The modules a command line needs: those of its top-level command (`pakawaaz help <name>` counts as
 * <name>); none for `--help`, `--version`, no command, or an unknown one.
 */
export function modulesFor(args: readonly string[]): readonly Module[] {
  const name = args[0] === 'help' ? args[1] : args[0];
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name]!.modules : [];
}
