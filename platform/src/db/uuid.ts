const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a caller-supplied id can be a `uuid` column's value. Check before querying: PostgreSQL refuses a
 * malformed uuid with an error (a 500), where the caller deserves "not found". A looser pattern such as
 * `[0-9a-f-]{36}` lets 36 dashes through to that error.
 */
export const isUuid = (value: string): boolean => UUID.test(value);
