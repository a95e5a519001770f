/** Nest injection tokens of the platform kernel. */
export const LOGGER = Symbol.for('pakawaaz.Logger');
export const PLATFORM_CONFIG = Symbol.for('pakawaaz.PlatformConfig');
export const APP_INFO = Symbol.for('pakawaaz.AppInfo');

export type AppInfo = { readonly version: string; readonly startedAt: Date };
