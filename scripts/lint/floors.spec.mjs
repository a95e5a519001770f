import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { floorsConfig } from './floors.mjs';

/*
 * The floors as lint sees them: small snippets placed (virtually) in a package, linted with the floors rule
 * alone (no type information needed), and the repository's own eslint.config.js checked to apply it.
 */
const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [{ languageOptions: { parser: tseslint.parser } }, floorsConfig(root)],
});

/** The floors messages for `code` as if it were the file at `file` (relative to the repository). */
async function lint(file, code) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('floors: who may import whom', () => {
  it.each([
    [
      'platform/src/x.ts',
      "import { IdentityModule } from '@pakawaaz/identity';",
      /may not import @pakawaaz\/identity/,
    ],
    [
      'core-network/src/x.ts',
      "import { TokenService } from '@pakawaaz/identity';",
      /core-network may not import @pakawaaz\/identity/,
    ],
    ['hardened-os/src/x.ts', "import { coreNetworkDomain } from '@pakawaaz/core-network';", /may not import/],
    [
      'identity/src/x.ts',
      "import { DeviceMgmtModule } from '@pakawaaz/device-mgmt';",
      /may not import @pakawaaz\/device-mgmt/,
    ],
    ['device-mgmt/src/x.ts', "import { AppStoreModule } from '@pakawaaz/app-store';", /may not import/],
    ['app-store/src/x.ts', "import { x } from '@pakawaaz/secure-chat';", /may not import/],
    ['app-store/src/x.ts', "import { x } from '@pakawaaz/core-network';", /may not import/],
    [
      'protocols/radius/src/x.ts',
      "import { sql } from '@pakawaaz/platform';",
      /radius may not import @pakawaaz\/platform/,
    ],
    [
      'protocols/eap-aka/src/x.ts',
      "import type { AkaVectorSource } from '@pakawaaz/core-network';",
      /may not import/,
    ],
    [
      'server/src/x.ts',
      "import { startServerProcess } from '@pakawaaz/lab';",
      /@pakawaaz\/lab is for tests only \(test\/ and \*\.spec\.ts\), not for @pakawaaz\/server/,
    ],
    [
      'noc/src/x.tsx',
      "import { API_TOKEN_PREFIX } from '@pakawaaz/identity';",
      /noc may not import @pakawaaz\/identity: @pakawaaz\/noc imports @pakawaaz\/api-client\./,
    ],
    ['simulators/open5gs/src/x.ts', "import { sql } from '@pakawaaz/platform';", /may not import/],
    ['test-support/src/x.ts', "import { IdentityModule } from '@pakawaaz/identity';", /may not import/],
  ])('%s: %s is refused', async (file, code, message) => {
    const messages = await lint(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^pakawaaz\/floors: /);
    expect(messages[0]).toMatch(message);
  });

  it.each([
    ['core-network/src/x.ts', "import { sql } from '@pakawaaz/platform';"],
    ['core-network/src/x.ts', "import { computeOpc } from '@pakawaaz/milenage';"],
    ['identity/src/x.ts', "import type { AkaVectorSource } from '@pakawaaz/core-network';"],
    ['identity/src/x.ts', "import { decodeRadius } from '@pakawaaz/radius';"],
    ['device-mgmt/src/x.ts', "import { IdentityModule } from '@pakawaaz/identity';"],
    ['secure-chat/src/x.ts', "import { DeviceMgmtModule } from '@pakawaaz/device-mgmt';"],
    ['protocols/eap-aka/src/x.ts', "import type { AkaVector } from '@pakawaaz/milenage';"],
    ['server/src/x.ts', "import { startNfSimulator } from '@pakawaaz/open5gs-simulator';"],
    ['lab/src/x.ts', "import { verifyAccessToken } from '@pakawaaz/identity';"],
    ['server/test/support/x.ts', "import { dpopFetch } from '@pakawaaz/lab';"],
    [
      'core-network/test/medium/x.medium.spec.ts',
      "import { createTestDatabase } from '@pakawaaz/test-support';",
    ],
    ['identity/src/x.spec.ts', "import { createTestCa } from '@pakawaaz/test-support';"],
    ['identity/src/radius/x.ts', "import { a } from '../users/access.js'; import { b } from './y.js';"],
    ['identity/test/medium/x.medium.spec.ts', "import { a } from '../../src/users/access.js';"],
    ['noc/src/x.tsx', "import { useState } from 'react'; import { api } from './api/client';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await lint(file, code)).toEqual([]);
  });

  it('keeps test fixtures out of the code, also in the server', async () => {
    for (const file of ['server/src/x.ts', 'identity/src/x.ts', 'platform/src/x.ts']) {
      const [message] = await lint(file, "import { createTestDatabase } from '@pakawaaz/test-support';");
      expect(message).toMatch(/@pakawaaz\/test-support is for tests only/);
    }
  });

  it('sees re-exports, dynamic imports and import types, not only import declarations', async () => {
    const from = 'core-network/src/x.ts';
    expect(await lint(from, "export { TokenService } from '@pakawaaz/identity';")).toHaveLength(1);
    expect(await lint(from, "export * from '@pakawaaz/identity';")).toHaveLength(1);
    expect(await lint(from, "export const load = () => import('@pakawaaz/identity');")).toHaveLength(1);
    expect(await lint(from, "export type T = import('@pakawaaz/identity').IdentityConfig;")).toHaveLength(1);
  });
});

describe('floors: only through the public face', () => {
  it.each([
    [
      'lab/src/x.ts',
      "import { RadiusEap } from '@pakawaaz/identity/src/radius/radius-eap.js';",
      /Deep import/,
    ],
    ['server/src/x.ts', "import { x } from '@pakawaaz/core-network/dist/index.js';", /Deep import/],
    [
      'lab/src/radius-nas/x.ts',
      "import { RadiusEap } from '../../../identity/src/radius/radius-eap.js';",
      /leaves @pakawaaz\/lab/,
    ],
    [
      'core-network/test/medium/x.medium.spec.ts',
      "import { ALL_DOMAINS } from '../../../server/src/domains.js';",
      /leaves @pakawaaz\/core-network/,
    ],
    [
      'identity/test/support/x.ts',
      "import { t } from '../../../platform/test/support/database.js';",
      /leaves/,
    ],
    [
      'protocols/radius/src/x.ts',
      "import { m } from '../../milenage/src/milenage.js';",
      /leaves @pakawaaz\/radius/,
    ],
    ['identity/src/x.ts', "import { IdentityModule } from '@pakawaaz/identity';", /imports itself by name/],
    ['identity/src/x.ts', "import { x } from '@pakawaaz/no-such-package';", /not a workspace/],
  ])('%s: %s is refused', async (file, code, message) => {
    const messages = await lint(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(message);
  });

  it("allows a package's declared further face, and only that one", async () => {
    expect(await lint('identity/src/x.ts', "import { x } from '@pakawaaz/platform/csv';")).toHaveLength(0);
    expect(await lint('identity/src/x.ts', "import { x } from '@pakawaaz/platform/keys';")).toHaveLength(1);
    expect(await lint('identity/src/x.ts', "import { x } from '@pakawaaz/core-network/csv';")).toHaveLength(
      1,
    );
  });
});

describe("the repository's eslint.config.js", () => {
  it('applies the floors as errors, and the size limit as a warning outside tests', async () => {
    const repo = new ESLint({ cwd: root });
    const code = await repo.calculateConfigForFile(path.join(root, 'identity/src/radius/radius-eap.ts'));
    expect(code.rules['pakawaaz/floors']?.[0]).toBe(2);
    expect(code.rules['max-lines']).toEqual([1, { max: 300, skipBlankLines: true, skipComments: true }]);
    const spec = await repo.calculateConfigForFile(
      path.join(root, 'identity/src/radius/radius-dispatch.spec.ts'),
    );
    expect(spec.rules['pakawaaz/floors']?.[0]).toBe(2);
    expect(spec.rules['max-lines']).toBeUndefined();
  });
});
