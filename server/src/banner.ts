import type { RunningServer } from './bootstrap.js';

/** What a newcomer needs after `npm start`: where to go and how to sign in. Written to stderr, apart from the JSON log. */
export function printBanner(server: RunningServer): void {
  const { url, firstStart, config, nocServed } = server;
  const lines = [
    '',
    `  Pakawaaz control plane is up: ${url}`,
    nocServed ? `  NOC dashboard:  ${url}/` : '  NOC dashboard:  not built (run `npm run build`)',
    `  API docs:       ${url}/docs`,
    `  Database:       ${config.databaseMode === 'embedded' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)'}`,
    `  Event bus:      ${config.eventBusMode === 'nats' ? 'NATS JetStream (NATS_URL)' : 'in-process'}`,
    `  RADIUS:         ${server.radius ? `UDP ${server.radius.authPort} (auth), ${server.radius.acctPort} (accounting)` : 'off (RADIUS_ENABLED=false)'}`,
    `  Device port:    ${server.devicePort.open ? `${server.devicePort.url} (mutual TLS for handsets)` : server.devicePort.reason}`,
    ...(config.processes > 1
      ? [
          `  Processes:      ${config.processes} on this host (PAKAWAAZ_PROCESSES), sharing its ports; this one runs RADIUS, the MQTT broker and Janus`,
        ]
      : []),
    `  Demo fleet:     ${server.demoFleet.running ? `${server.demoFleet.handsets} simulated handsets (lab-attested; PAKAWAAZ_DEMO_FLEET=false turns them off)` : server.demoFleet.reason}`,
  ];
  if (firstStart.firstStart) {
    lines.push('', `  First start: created NOC administrator "${firstStart.adminUsername}".`);
    if (firstStart.adminPassword && process.stderr.isTTY) {
      // Shown on an interactive terminal only: redirected output (service logs, CI) never carries the password.
      lines.push(
        `  Sign in with username ${firstStart.adminUsername} and password ${firstStart.adminPassword}`,
      );
      lines.push(`  (also saved, readable only by you, in ${firstStart.passwordFile ?? 'the data folder'}).`);
    } else if (firstStart.adminPassword) {
      lines.push(
        `  Its generated password is in ${firstStart.passwordFile ?? 'the data folder'} (readable only by you).`,
      );
    } else {
      lines.push('  Sign in with the password from PAKAWAAZ_ADMIN_PASSWORD.');
    }
    if (firstStart.bootstrapToken)
      lines.push(
        '  PAKAWAAZ_BOOTSTRAP_TOKEN is now a super-admin API token: revoke it once real tokens exist.',
      );
    if (firstStart.demoInstitution) lines.push('  Seeded the demo institution.');
  } else {
    lines.push(
      '',
      `  Sign in as an operator (first administrator: admin; password in ${config.dataDir}/initial-admin-password if it was generated).`,
    );
  }
  lines.push('  Stop with Ctrl-C.', '');
  process.stderr.write(lines.join('\n') + '\n');
}
