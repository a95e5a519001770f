import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mtlsFetch, type ClientTls } from '@pakawaaz/handset-simulator';
import type { ChatFileRef } from '../../src/chat/chat-content.js';

/*
 * A chat attachment as a handset shares it: sealed on the device (AES-256-GCM, a fresh key, the IV prepended
 * and the tag appended — what WebCrypto's AES-GCM yields too), uploaded as ciphertext over mutual TLS on the
 * device port, its capability link and key sent inside the MLS message. The server stores bytes it cannot read.
 */

async function ok<T>(res: Response, status: number, what: string): Promise<T> {
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Seals `plain` and uploads it as the handset; the reference to send in a `file` message. */
export async function shareFromHandset(
  tls: ClientTls,
  deviceUrl: string,
  serverUrl: string,
  plain: Buffer,
  name: string,
): Promise<ChatFileRef> {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  const sha256 = createHash('sha256').update(sealed).digest('hex');
  const http = mtlsFetch(tls);
  try {
    const upload = await ok<{ id: string }>(
      await http(
        new Request(`${deviceUrl}/api/v1/chat/device/files`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sizeBytes: sealed.length, sha256 }),
        }),
      ),
      201,
      'the upload',
    );
    const done = await ok<{ state: string; download: { path: string } }>(
      await http(
        new Request(`${deviceUrl}/api/v1/chat/device/files/${upload.id}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
          body: sealed,
        }),
      ),
      200,
      'the bytes',
    );
    if (done.state !== 'complete') throw new Error(`the upload is ${done.state}, not complete`);
    return {
      url: `${serverUrl}${done.download.path}`,
      key: key.toString('base64url'),
      hash: Buffer.from(sha256, 'hex').toString('base64url'),
      name,
      size: sealed.length,
    };
  } finally {
    http.close();
  }
}

/** Downloads a shared file by its capability link, checks its SHA-256 and opens it with the message's key. */
export async function openSharedFile(ref: ChatFileRef): Promise<Buffer> {
  const fetched = Buffer.from(await (await fetch(ref.url)).arrayBuffer());
  if (createHash('sha256').update(fetched).digest('base64url') !== ref.hash)
    throw new Error('the file does not match its message (hash)');
  const d = createDecipheriv('aes-256-gcm', Buffer.from(ref.key, 'base64url'), fetched.subarray(0, 12));
  d.setAuthTag(fetched.subarray(fetched.length - 16));
  return Buffer.concat([d.update(fetched.subarray(12, fetched.length - 16)), d.final()]);
}
