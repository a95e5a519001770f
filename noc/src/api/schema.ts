// The API's types are generated once, in @pakawaaz/api-client (npm run gen:api -w noc regenerates them).
export type { components, operations, paths } from '@pakawaaz/api-client';
