import { AppError } from '@pakawaaz/platform';

/**
 * The AppError `p` rejects with, for a test to check its code and text. Resolving is a failure, and so is
 * rejecting with anything but an AppError (rethrown as it is, so the test shows what really went wrong).
 */
export async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}
