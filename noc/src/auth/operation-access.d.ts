// Served by the `pakawaaz-operation-access` plugin in vite.config.ts from ../openapi.json
// (the shape of `AccessTable` in ./access.ts; an ambient module cannot import it by a relative path).
declare module 'virtual:pakawaaz/operation-access' {
  const table: Readonly<
    Record<
      string,
      { scope: 'public' | 'self' | 'institution' | 'national' | 'device'; roles: readonly string[] }
    >
  >;
  export default table;
}
