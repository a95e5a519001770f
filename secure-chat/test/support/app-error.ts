import { AppError } from '@pakawaaz/platform';

/** The code, status and details of the AppError a promise rejects with (anything else fails the test). */
export async function codeOf(
  p: Promise<unknown>,
): Promise<{ code: string; status: number; details: unknown }> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return { code: err.code, status: err.status, details: err.details };
}
