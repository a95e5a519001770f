// @ts-check
import path from 'node:path';

/*
 * The floors (who may import whom), as data, and the ESLint rule that enforces them on every TypeScript
 * file. ESLint's own no-restricted-imports cannot do it alone: it does not see dynamic `import()` (the CLI
 * loads domains lazily) nor `import('x').T` types, and it cannot tell whether a relative path leaves the
 * package, which depends on where the importing file sits. A boundaries plugin could, but it resolves
 * imports through an import resolver and the packages' `exports` (dist/ files that may not be built when
 * lint runs), for a rule this table states in twenty lines.
 */

const PROTOCOLS = [
  '@pakawaaz/radius',
  '@pakawaaz/eap-aka',
  '@pakawaaz/milenage',
  '@pakawaaz/totp',
  '@pakawaaz/envelope',
  '@pakawaaz/apk',
  '@pakawaaz/transparency-log',
  '@pakawaaz/mls',
  '@pakawaaz/mqtt-reconnect',
];
const DOMAINS = [
  '@pakawaaz/platform',
  '@pakawaaz/core-network',
  '@pakawaaz/hardened-os',
  '@pakawaaz/identity',
  '@pakawaaz/device-mgmt',
  '@pakawaaz/app-store',
  '@pakawaaz/secure-chat',
];
const SIMULATORS = ['@pakawaaz/open5gs-simulator', '@pakawaaz/handset-simulator'];
const TEST_SUPPORT = '@pakawaaz/test-support';
/** The typed HTTP client generated from openapi.json: for the server's CLI, lab and the NOC. */
const API_CLIENT = '@pakawaaz/api-client';

/**
 * @typedef {{ dir: string, name: string, may: readonly string[], testsMay?: readonly string[], testOnly?: boolean, faces?: readonly string[] }} Floor
 * `may`: the workspaces its src imports (by their public face); `testsMay`: what its tests (test/ and
 * *.spec.ts) may import on top of that; `testOnly`: a package no src may import (spec files aside);
 * `faces`: further public faces (subpaths of its package.json `exports`), e.g. a pure one for worker threads.
 */

/** @type {readonly Floor[]} */
export const FLOORS = [
  ...PROTOCOLS.map((name) => ({
    dir: `protocols/${name.slice('@pakawaaz/'.length)}`,
    name,
    // Pure and dependency-free: other protocol packages at most.
    may: PROTOCOLS.filter((x) => x !== name),
  })),
  // Types generated from openapi.json and a fetch wrapper: the lowest floor, it imports nothing of ours.
  // `errors`: ApiError and unwrap without openapi-fetch, for the CLI's own node:http transport.
  { dir: 'clients/api', name: API_CLIENT, may: [], faces: ['errors'] },
  {
    dir: 'platform',
    name: '@pakawaaz/platform',
    may: PROTOCOLS,
    testsMay: [TEST_SUPPORT],
    // The CSV import pieces without Nest: worker threads import them (a worker never loads a main face).
    // The configuration and logger alone: the supervisor of PAKAWAAZ_PROCESSES > 1 checks the config with it.
    faces: ['csv', 'config'],
  },
  {
    dir: 'test-support',
    name: TEST_SUPPORT,
    may: ['@pakawaaz/platform', ...PROTOCOLS],
    testOnly: true,
    // Real Chromium and the web chat's pages: only browser tests load playwright-core.
    faces: ['browser'],
  },
  {
    dir: 'core-network',
    name: '@pakawaaz/core-network',
    may: ['@pakawaaz/platform', ...PROTOCOLS],
    testsMay: [TEST_SUPPORT, ...SIMULATORS],
  },
  {
    dir: 'hardened-os',
    name: '@pakawaaz/hardened-os',
    may: ['@pakawaaz/platform', ...PROTOCOLS],
    testsMay: [TEST_SUPPORT],
    // TUF metadata and the signing ceremony without Nest: the CLI's offline `os tuf` commands import it.
    faces: ['tuf'],
  },
  {
    dir: 'identity',
    name: '@pakawaaz/identity',
    may: ['@pakawaaz/platform', '@pakawaaz/core-network', ...PROTOCOLS],
    testsMay: [TEST_SUPPORT],
  },
  {
    dir: 'device-mgmt',
    name: '@pakawaaz/device-mgmt',
    may: [
      '@pakawaaz/platform',
      '@pakawaaz/identity',
      '@pakawaaz/hardened-os',
      '@pakawaaz/core-network',
      ...PROTOCOLS,
    ],
    // Its tests enrol simulated handsets (lab-attested chains) like core-network's scrape simulated NFs.
    testsMay: [TEST_SUPPORT, ...SIMULATORS],
    // The attestation verifier without Nest: the CLI's offline `attestation inspect` and lab import it.
    faces: ['attestation'],
  },
  ...['app-store', 'secure-chat'].map((d) => ({
    dir: d,
    name: `@pakawaaz/${d}`,
    may: ['@pakawaaz/platform', '@pakawaaz/identity', '@pakawaaz/device-mgmt', ...PROTOCOLS],
    testsMay: [TEST_SUPPORT],
    // The catalogue format without Nest or the database: what a handset (lab, the CLI) runs to check one.
    ...(d === 'app-store' ? { faces: ['catalogue'] } : {}),
  })),
  {
    dir: 'simulators/open5gs',
    name: '@pakawaaz/open5gs-simulator',
    may: PROTOCOLS,
    // Its spec reads the simulated pages with the parser and KPI code that consume them in production.
    testsMay: ['@pakawaaz/core-network'],
  },
  {
    dir: 'simulators/handset',
    name: '@pakawaaz/handset-simulator',
    // A handset is a client of the API: the generated client, nothing of the server's; and the pure APK
    // package, with which the lab builds and signs the demo's apps (an APK writer, as a developer has one).
    // The reconnect loop of the push channel's clients it shares with device-mgmt's external publisher.
    may: [API_CLIENT, '@pakawaaz/apk', '@pakawaaz/mqtt-reconnect'],
    // Its installer's spec makes real signed APKs and a real signed catalogue with the formats' own tools,
    // and checks them with the verifiers a real handset runs (bound in by the caller in src).
    // Its push client's spec runs a throw-away Mosquitto (test-support finds the binary and waits for it).
    testsMay: ['@pakawaaz/apk', '@pakawaaz/transparency-log', '@pakawaaz/app-store', TEST_SUPPORT],
  },
  // lab drives the system over its real protocols; in-process it uses public faces only, never the server.
  {
    dir: 'lab',
    name: '@pakawaaz/lab',
    may: [...DOMAINS, ...PROTOCOLS, ...SIMULATORS, API_CLIENT],
    testsMay: [TEST_SUPPORT],
  },
  // The composition root: every domain, never lab, test fixtures only in its tests; its CLI is an API client.
  // Its tests may drive it as lab's clients do (an official's desktop device: WebCrypto key, CSR, DPoP).
  {
    dir: 'server',
    name: '@pakawaaz/server',
    may: [...DOMAINS, ...PROTOCOLS, ...SIMULATORS, API_CLIENT],
    testsMay: [TEST_SUPPORT, '@pakawaaz/lab'],
  },
  // The NOC talks to the server over HTTP only, through the client generated from openapi.json.
  { dir: 'noc', name: '@pakawaaz/noc', may: [API_CLIENT] },
];

const SCOPE = '@pakawaaz/';

/** @param {string} p */
const posix = (p) => p.split(path.sep).join('/');

/** @type {import('eslint').Rule.RuleModule} */
const floorsRule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Packages import each other only down the floors, and only through their public face.',
    },
    schema: [
      {
        type: 'object',
        properties: { root: { type: 'string' }, floors: { type: 'array' } },
        required: ['root', 'floors'],
        additionalProperties: false,
      },
    ],
    messages: {
      floor: '{{from}} may not import {{to}}: {{from}} imports {{allowed}}. {{hint}}',
      testOnly: '{{to}} is for tests only (test/ and *.spec.ts), not for {{from}}’s code.',
      deep: 'Deep import "{{spec}}": import {{pkg}} by its public face ("{{pkg}}"); export what you need from its src/index.ts.',
      escape: '"{{spec}}" leaves {{pkg}}: import another package by its name (@pakawaaz/…), never by path.',
      self: '{{pkg}} imports itself by name: inside a package, use relative paths.',
      unknown: '"{{spec}}" is not a workspace of this repository.',
    },
  },
  create(context) {
    const { root, floors } = /** @type {{ root: string, floors: Floor[] }} */ (context.options[0]);
    const file = posix(path.relative(root, context.filename));
    const own = floors
      .filter((f) => file.startsWith(`${f.dir}/`))
      .sort((a, b) => b.dir.length - a.dir.length)[0];
    if (!own) return {};
    const inPackage = file.slice(own.dir.length + 1);
    const isTest = inPackage.startsWith('test/') || /\.spec\.tsx?$/.test(file);
    const allowed = new Set([...own.may, ...(isTest ? (own.testsMay ?? []) : [])]);
    const testOnly = new Set([
      ...(own.testsMay ?? []),
      ...floors.filter((f) => f.testOnly).map((f) => f.name),
    ]);

    /** @param {import('estree').Node} node @param {unknown} spec */
    function check(node, spec) {
      if (typeof spec !== 'string') return;
      if (spec.startsWith('.')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
        if (target !== own.dir && !target.startsWith(`${own.dir}/`))
          context.report({ node, messageId: 'escape', data: { spec, pkg: own.name } });
        return;
      }
      if (!spec.startsWith(SCOPE)) return;
      const [, name = '', ...rest] = spec.split('/');
      const pkg = `${SCOPE}${name}`;
      const target = floors.find((f) => f.name === pkg);
      if (!target) {
        context.report({ node, messageId: 'unknown', data: { spec } });
      } else if (rest.length > 0 && !(target.faces ?? []).includes(rest.join('/'))) {
        context.report({ node, messageId: 'deep', data: { spec, pkg } });
      } else if (pkg === own.name) {
        context.report({ node, messageId: 'self', data: { pkg } });
      } else if (!allowed.has(pkg)) {
        if (testOnly.has(pkg) && !isTest)
          context.report({ node, messageId: 'testOnly', data: { to: pkg, from: own.name } });
        else
          context.report({
            node,
            messageId: 'floor',
            data: {
              from: own.name,
              to: pkg,
              allowed: own.may.length ? own.may.join(', ') : 'no workspace package',
              hint: 'Flows that go up travel as domain events, or through a port the server binds.',
            },
          });
      }
    }

    /** @param {any} node */
    const source = (node) => node.source && check(node.source, node.source.value);
    return {
      ImportDeclaration: source,
      ExportNamedDeclaration: source,
      ExportAllDeclaration: source,
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      /** @param {any} node `import('x').T` in a type position */
      TSImportType(node) {
        const literal = node.argument?.type === 'TSLiteralType' ? node.argument.literal : undefined;
        if (literal) check(literal, literal.value);
      },
    };
  },
};

export const floorsPlugin = { meta: { name: 'pakawaaz' }, rules: { floors: floorsRule } };

/**
 * The flat-config block that applies the floors to every TypeScript file under `root` (the repository).
 * @param {string} root
 * @returns {import('eslint').Linter.Config}
 */
export function floorsConfig(root) {
  return {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'],
    plugins: { pakawaaz: floorsPlugin },
    rules: { 'pakawaaz/floors': ['error', { root, floors: FLOORS }] },
  };
}
