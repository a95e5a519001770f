import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './metadata-store.js';

const schema = z.object({ compromised: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(10_000) });

/**
 * TUF keys marked compromised, beside the metadata (never served: not a metadata name). Shared by the nodes
 * that share the folder, like the metadata itself; written new-then-renamed.
 */
export class KeyStatusFile {
  private readonly file: string;

  constructor(dir: string) {
    this.file = path.join(dir, 'key-status.json');
  }

  async compromised(): Promise<string[]> {
    const text = await readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (text === undefined) return [];
    // A damaged file must not quietly un-compromise keys: it stops signing until someone looks.
    const parsed = schema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${this.file} is damaged; restore it before signing`);
    return parsed.data.compromised;
  }

  async add(keyid: string): Promise<string[]> {
    const list = [...new Set([...(await this.compromised()), keyid])].sort();
    await writeFileAtomic(this.file, Buffer.from(`${JSON.stringify({ compromised: list }, null, 1)}\n`));
    return list;
  }
}
