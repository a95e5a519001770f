import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { CliError } from '../api-client.js';

export type UploadTarget = {
  url: string;
  token: string;
  file: string;
  onProgress: (sent: number, total: number) => void;
  /** The body's media type (default application/octet-stream). */
  contentType?: string;
};

/**
 * Streams a file as the raw body (application/octet-stream, or an APK's media type) with its Content-Length:
 * OTA payloads are gigabytes, so the CLI's JSON transport (which holds a body as a string) is not used.
 * Progress is reported as the file is read; the server refuses the whole upload (nothing stored) when it is too large or cut short.
 */
export async function uploadFile(t: UploadTarget): Promise<{ status: number; text: string }> {
  const size = await stat(t.file).then(
    (s) => s.size,
    (err: NodeJS.ErrnoException) => {
      throw new CliError(`Cannot read ${t.file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, 2);
    },
  );
  const target = new URL(t.url);
  const { request } =
    target.protocol === 'https:'
      ? process.getBuiltinModule('node:https')
      : process.getBuiltinModule('node:http');
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${t.token}`,
          'content-type': t.contentType ?? 'application/octet-stream',
          'content-length': size,
          'x-request-id': `cli-${process.getBuiltinModule('node:crypto').randomUUID()}`,
        },
      },
      resolve,
    );
    req.once('error', (err) => reject(new CliError(`The upload failed: ${err.message}`, 1)));
    let sent = 0;
    const file = createReadStream(t.file);
    file.on('data', (chunk) => {
      sent += chunk.length;
      t.onProgress(sent, size);
    });
    file.once('error', (err) => req.destroy(err));
    file.pipe(req);
  });
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') };
}
