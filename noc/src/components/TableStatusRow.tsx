import type { ReactNode } from 'react';

/**
 * The one row a table shows in place of its rows: `Loading…` until the first answer arrives, then `empty`
 * when the answer has no rows; nothing once there are rows (or when loading failed: the page's error notice
 * says so).
 */
export function TableStatusRow({
  columns,
  rows,
  loading,
  empty,
}: {
  columns: number;
  rows: readonly unknown[] | undefined;
  loading: boolean;
  empty: ReactNode;
}) {
  if (rows === undefined) return loading ? <StatusRow columns={columns}>Loading…</StatusRow> : null;
  return rows.length === 0 ? <StatusRow columns={columns}>{empty}</StatusRow> : null;
}

function StatusRow({ columns, children }: { columns: number; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={columns} className="empty">
        {children}
      </td>
    </tr>
  );
}
