import { formatCount } from '../format';

/** Numbered pages over an offset/limit list: "21–40 of 312", Previous / Page 2 of 16 / Next. */
export function Pagination({
  label,
  noun,
  page,
  pageSize,
  total,
  busy = false,
  onPage,
}: {
  /** Accessible name of the navigation, e.g. "Subscriber pages". */
  label: string;
  /** Plural noun for an empty list, e.g. "subscribers" → "No subscribers". */
  noun: string;
  /** 1-based. */
  page: number;
  pageSize: number;
  total: number;
  busy?: boolean;
  onPage: (page: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav className="table-footer pagination" aria-label={label}>
      <span className="muted" aria-live="polite">
        {total === 0 ? `No ${noun}` : `${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}`}
      </span>
      <span className="pagination-controls">
        <button
          type="button"
          className="button button-secondary"
          onClick={() => onPage(page - 1)}
          disabled={busy || page <= 1}
        >
          Previous
        </button>
        <span className="pagination-page">
          Page {formatCount(Math.min(page, pages))} of {formatCount(pages)}
        </span>
        <button
          type="button"
          className="button button-secondary"
          onClick={() => onPage(page + 1)}
          disabled={busy || page >= pages}
        >
          Next
        </button>
      </span>
    </nav>
  );
}

/** A cursor list's footer: "300 SIMs shown" and, while the server has more, a "Load more" button. */
export function LoadMore({
  shown,
  one,
  many,
  hasMore,
  loading,
  onMore,
  label = 'Load more',
}: {
  shown: number;
  one: string;
  many: string;
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
  label?: string;
}) {
  return (
    <div className="table-footer">
      <span className="muted" aria-live="polite">
        {formatCount(shown)} {shown === 1 ? one : many} shown
      </span>
      {hasMore ? (
        <button
          type="button"
          className="button button-secondary"
          onClick={onMore}
          disabled={loading}
          aria-busy={loading}
        >
          {loading ? 'Loading…' : label}
        </button>
      ) : null}
    </div>
  );
}
