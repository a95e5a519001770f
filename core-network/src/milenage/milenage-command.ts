import { computeOpc, milenage } from '@pakawaaz/milenage';

/** Arguments of `pakawaaz milenage`, as hex strings straight from the command line. */
export type MilenageCommandArgs = {
  readonly k: string;
  readonly opc?: string;
  readonly op?: string;
  readonly rand: string;
  readonly sqn: string;
  readonly amf: string;
};

/** The command's JSON output, every value lower-case hex. */
export type MilenageCommandResult = {
  readonly mac_a: string;
  readonly mac_s: string;
  readonly res: string;
  readonly ck: string;
  readonly ik: string;
  readonly ak: string;
  readonly ak_star: string;
};

/** A bad argument; `argument` is the option name so the CLI can point at it. */
export class MilenageArgumentError extends Error {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(message);
    this.name = 'MilenageArgumentError';
  }
}

const HEX = /^[0-9a-fA-F]*$/;

/** Parses one option; the message names it and the expected length, never echoing the (secret) value. */
function parseHex(argument: string, value: string | undefined, bytes: number): Buffer {
  const expected = `${bytes * 2} hex digits (${bytes} bytes)`;
  if (value === undefined || value === '') {
    throw new MilenageArgumentError(argument, `--${argument} is required: ${expected}`);
  }
  if (!HEX.test(value)) {
    throw new MilenageArgumentError(
      argument,
      `--${argument} must be ${expected}; it contains non-hex characters`,
    );
  }
  if (value.length !== bytes * 2) {
    throw new MilenageArgumentError(
      argument,
      `--${argument} must be ${expected}, got ${value.length} digits`,
    );
  }
  return Buffer.from(value, 'hex');
}

/** OPc as given, or computed from OP; exactly one of the two. */
function resolveOpc(k: Buffer, args: MilenageCommandArgs): Buffer {
  const hasOpc = args.opc !== undefined;
  const hasOp = args.op !== undefined;
  if (hasOpc && hasOp) throw new MilenageArgumentError('opc', 'give either --opc or --op, not both');
  if (!hasOpc && !hasOp)
    throw new MilenageArgumentError('opc', 'one of --opc or --op is required: 32 hex digits (16 bytes)');
  return hasOpc ? parseHex('opc', args.opc, 16) : computeOpc(k, parseHex('op', args.op, 16));
}

/** `pakawaaz milenage`: every MILENAGE output for the given inputs (TS 35.206). */
export function milenageCommand(args: MilenageCommandArgs): MilenageCommandResult {
  const k = parseHex('k', args.k, 16);
  const opc = resolveOpc(k, args);
  const rand = parseHex('rand', args.rand, 16);
  const sqn = parseHex('sqn', args.sqn, 6);
  const amf = parseHex('amf', args.amf, 2);
  const out = milenage(k, opc, rand, sqn, amf);
  return {
    mac_a: out.macA.toString('hex'),
    mac_s: out.macS.toString('hex'),
    res: out.res.toString('hex'),
    ck: out.ck.toString('hex'),
    ik: out.ik.toString('hex'),
    ak: out.ak.toString('hex'),
    ak_star: out.akStar.toString('hex'),
  };
}
