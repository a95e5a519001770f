import type { Principal } from '@pakawaaz/platform';

/**
 * What an authenticated caller is doing, for authorization and the audit log. The checks themselves are the
 * kernel's (`requireRole`, `requireNational`, `requireInScope`, `scopeCondition` in @pakawaaz/platform).
 */
export type Ctx = { readonly principal: Principal; readonly requestId: string | null };
