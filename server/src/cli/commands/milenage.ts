import { CliError } from '../api-client.js';
import type { RegisterCommands } from '../context.js';

/**
 * `pakawaaz milenage`: 3GPP TS 35.206 f1–f5* on the given inputs, computed locally (no server, nothing sent),
 * for lab work and for checking a SIM vendor's data. Prints JSON with lower-case hex.
 */
export const registerMilenageCommands: RegisterCommands = (program, { io }) => {
  program
    .command('milenage')
    .description(
      'compute MILENAGE f1-f5* (TS 35.206) locally and print mac_a, mac_s, res, ck, ik, ak, ak_star as JSON',
    )
    .requiredOption('--k <hex>', 'subscriber key K (32 hex digits)')
    .option('--opc <hex>', 'OPc (32 hex digits)')
    .option('--op <hex>', 'OP (32 hex digits); OPc is derived from it')
    .requiredOption('--rand <hex>', 'RAND (32 hex digits)')
    .requiredOption('--sqn <hex>', 'SQN (12 hex digits)')
    .requiredOption('--amf <hex>', 'AMF (4 hex digits)')
    .action(async (o: { k: string; opc?: string; op?: string; rand: string; sqn: string; amf: string }) => {
      const { milenageCommand, MilenageArgumentError } = await import('@pakawaaz/core-network');
      try {
        io.stdout(`${JSON.stringify(milenageCommand(o), null, 2)}\n`);
      } catch (err) {
        if (err instanceof MilenageArgumentError) throw new CliError(err.message, 2);
        throw err;
      }
    });
};
