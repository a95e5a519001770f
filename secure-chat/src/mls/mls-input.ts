import { secureChatError } from '../secure-chat.errors.js';
import { MlsInputError } from './mls-facts.js';

/** Runs an MLS read, turning its refusals into the domain's 4xx errors (same codes). */
export async function mlsInput<T>(read: () => T | Promise<T>, field: string): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof MlsInputError) throw secureChatError(err.code, `${field}: ${err.message}`, { field });
    throw err;
  }
}
