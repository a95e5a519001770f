import { CliError } from '../api-client.js';
import type { RegisterCommands } from '../context.js';

/**
 * `pakawaaz apk inspect`: what the store would see in an APK — manifest, v1/v2/v3 signatures, signer
 * digests, our verdict — read locally (no server, nothing sent), as JSON. Exit 0 verified, 2 refused, 1
 * unreadable (the file cannot be read).
 */
export const registerApkCommands: RegisterCommands = (program, { io }) => {
  const apk = program.command('apk').description('Android packages, inspected offline');
  apk
    .command('inspect <file>')
    .description(
      'print the manifest, signature schemes, signer SHA-256s and verdict of an APK as JSON (exit 0 verified, 2 refused, 1 unreadable)',
    )
    .option(
      '--min-sdk <level>',
      'oldest Android API level the APK must verify for (default 28, Android 9: what apksigner --min-sdk-version 28 checks)',
    )
    .action(async (file: string, o: { minSdk?: string }) => {
      const minSdk = o.minSdk === undefined ? undefined : Number(o.minSdk);
      if (minSdk !== undefined && !(Number.isInteger(minSdk) && minSdk >= 1 && minSdk <= 10_000))
        throw new CliError('--min-sdk must be an Android API level, e.g. 28', 2);
      const { fileSource, inspectApk } = await import('@pakawaaz/apk');
      let source;
      try {
        source = await fileSource(file);
      } catch (err) {
        throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 1);
      }
      try {
        const inspection = await inspectApk(source, { minSdk }).catch((err: unknown) => {
          throw new CliError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, 1);
        });
        io.stdout(`${JSON.stringify(inspection, null, 2)}\n`);
        if (!inspection.verified) throw new CliError('', 2);
      } finally {
        await source.close();
      }
    });
};
