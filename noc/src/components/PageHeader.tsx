import type { ReactNode } from 'react';

/**
 * The head of a NOC page: its `<h1>`, the subtitle under it (muted unless `plainSubtitle`, for subtitles of
 * pills and codes) and, on the right, the page's actions: the standard secondary Refresh button when
 * `onRefresh` is given (disabled while `refreshing`), then `children`. Without either there is no actions row.
 */
export function PageHeader({
  title,
  subtitle,
  plainSubtitle = false,
  onRefresh,
  refreshing,
  children,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  plainSubtitle?: boolean;
  onRefresh?: () => void;
  refreshing?: boolean;
  children?: ReactNode;
}) {
  const hasActions =
    onRefresh !== undefined || (children !== undefined && children !== null && children !== false);
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle !== undefined && subtitle !== null ? (
          <p className={plainSubtitle ? 'page-subtitle' : 'page-subtitle muted'}>{subtitle}</p>
        ) : null}
      </div>
      {hasActions ? (
        <div className="page-actions">
          {onRefresh ? (
            <button
              type="button"
              className="button button-secondary"
              onClick={onRefresh}
              disabled={refreshing}
            >
              Refresh
            </button>
          ) : null}
          {children}
        </div>
      ) : null}
    </div>
  );
}

/**
 * A page's primary "Add …" action that opens its create form below the header: disabled, and `aria-expanded`,
 * while the form is open.
 */
export function OpenFormButton({
  open,
  onOpen,
  children,
}: {
  open: boolean;
  onOpen: () => void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className="button button-primary"
      onClick={onOpen}
      disabled={open}
      aria-expanded={open}
    >
      {children}
    </button>
  );
}
