import type { ReactNode } from 'react';
import type { ApiQueryState } from '../data/hooks';
import { ReadFailure } from './QueryStatus';
import { TableStatusRow } from './TableStatusRow';

/** A column's head: its words, or words read only by screen readers (a column of row actions). */
export type Column = string | { hidden: string };

/** The head of a last column of row actions (Revoke, Cancel): read only by screen readers. */
export const ACTIONS_COLUMN: Column = { hidden: 'Actions' };

/**
 * A table of one list read: the read's failure above it (ReadFailure), a caption for screen readers, the
 * column heads, one row per item, then `Loading…` or `empty` in place of rows (TableStatusRow). `aria-busy`
 * while the read is in flight.
 */
export function QueryTable<T>({
  query,
  failureTitle,
  caption,
  columns,
  compact = false,
  rows,
  renderRow,
  empty,
}: {
  query: ApiQueryState<unknown>;
  /** "Could not load the enrolment tokens". */
  failureTitle: string;
  caption: string;
  columns: readonly Column[];
  compact?: boolean;
  /** The items, or undefined until the read answers. */
  rows: readonly T[] | undefined;
  /** One item's <tr>, with its key. */
  renderRow: (row: T) => ReactNode;
  empty: ReactNode;
}) {
  return (
    <>
      <ReadFailure
        error={query.error}
        hasData={query.data !== undefined}
        updatedAt={query.updatedAt}
        title={failureTitle}
        onRetry={query.refresh}
      />
      <div className="table-wrap">
        <table className={compact ? 'table table-compact' : 'table'} aria-busy={query.fetching}>
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {columns.map((c) =>
                typeof c === 'string' ? (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ) : (
                  <th key={c.hidden} scope="col">
                    <span className="visually-hidden">{c.hidden}</span>
                  </th>
                ),
              )}
            </tr>
          </thead>
          <tbody>
            {(rows ?? []).map(renderRow)}
            <TableStatusRow columns={columns.length} rows={rows} loading={query.loading} empty={empty} />
          </tbody>
        </table>
      </div>
    </>
  );
}
