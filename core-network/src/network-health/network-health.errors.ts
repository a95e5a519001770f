import { defineErrors, type HttpStatus } from '@pakawaaz/platform';

export type NetworkHealthErrorCode = 'alarm_not_found' | 'invalid_scrape_targets';

export const NETWORK_HEALTH_ERROR_STATUS = {
  alarm_not_found: 404,
  invalid_scrape_targets: 400,
} as const satisfies Record<NetworkHealthErrorCode, HttpStatus>;

export const networkHealthError = defineErrors(NETWORK_HEALTH_ERROR_STATUS);
