import { sharedBudgetTable } from '@pakawaaz/platform';
import { identitySchema } from '../identity.schema.js';

/**
 * The directory's search budget of each caller (a token bucket, PAKAWAAZ_DIRECTORY_RATE a minute), shared by
 * every node: N nodes do not give N times the budget for walking the directory. A row whose bucket has refilled
 * (a minute after its last search) carries nothing and is swept.
 */
export const directoryBudgets = sharedBudgetTable(identitySchema, 'directory_budgets');
