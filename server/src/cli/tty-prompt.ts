import { closeSync, openSync, writeSync } from 'node:fs';
import tty from 'node:tty';

/**
 * Asks on the controlling terminal (not standard input, which may be a redirected file) without echoing
 * what is typed. Null when there is no terminal (or stderr is not one) (a service, CI, Windows): the caller then says what to give.
 */
export async function askHidden(question: string): Promise<string | null> {
  // A terminal on stderr: a person is there (stdout may be captured by `$(...)`, stdin be a file).
  if (!process.stderr.isTTY) return null;
  let inFd: number;
  let outFd: number;
  try {
    inFd = openSync('/dev/tty', 'r');
    outFd = openSync('/dev/tty', 'w');
  } catch {
    return null;
  }
  if (!tty.isatty(inFd)) {
    closeSync(inFd);
    closeSync(outFd);
    return null;
  }
  const input = new tty.ReadStream(inFd);
  writeSync(outFd, question);
  input.setRawMode(true);
  try {
    return await new Promise<string>((resolve, reject) => {
      let answer = '';
      input.on('data', (chunk: Buffer) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return resolve(answer);
          if (ch === '\u0003' || ch === '\u0004') return reject(new Error('cancelled'));
          if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
          else if (ch >= ' ') answer += ch;
        }
      });
      input.on('error', reject);
    });
  } finally {
    input.setRawMode(false);
    writeSync(outFd, '\n');
    input.destroy();
    closeSync(outFd);
  }
}
