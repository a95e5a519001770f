import { startEchoResponder } from './echo-responder.js';

/**
 * `node lab/dist/radius-nas/echo-responder-main.js`: the baseline responder in a process of its own, as the
 * real server is, so both sides of a comparison get a core each. Prints `{"port":N}` once listening and
 * runs until SIGTERM. Env: ECHO_SECRET (required), ECHO_HOST (default 127.0.0.1), ECHO_PORT (default 0).
 */
const secret = process.env.ECHO_SECRET;
if (!secret) {
  process.stderr.write('ECHO_SECRET is required\n');
  process.exit(2);
}
const responder = await startEchoResponder({
  host: process.env.ECHO_HOST ?? '127.0.0.1',
  port: Number(process.env.ECHO_PORT ?? 0),
  secret,
});
process.stdout.write(`${JSON.stringify({ port: responder.port })}\n`);
process.once('SIGTERM', () => void responder.close().then(() => process.exit(0)));
