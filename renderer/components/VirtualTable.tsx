// A table that only puts the rows in view into the page, so a million-episode dataset scrolls like
// a hundred-row one. Rows arrive page by page; reaching the end asks for the next page.
import { useEffect, useRef, useState, type ReactNode } from 'react';

export interface Column<Row> {
  title: string;
  width: string;
  cell: (row: Row) => ReactNode;
}

interface Props<Row> {
  rows: Row[];
  columns: Column<Row>[];
  rowKey: (row: Row) => string | number;
  selected?: string | number;
  onSelect?: (row: Row) => void;
  /** More rows exist beyond the loaded ones. */
  more: boolean;
  loading: boolean;
  onNeedMore: () => void;
}

const ROW_HEIGHT = 28;
const OVERSCAN = 10;

export function VirtualTable<Row>({
  rows,
  columns,
  rowKey,
  selected,
  onSelect,
  more,
  loading,
  onNeedMore,
}: Props<Row>) {
  const body = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);

  useEffect(() => {
    const element = body.current!;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  useEffect(() => {
    if (more && !loading && last >= rows.length - OVERSCAN) onNeedMore();
  }, [more, loading, last, rows.length, onNeedMore]);

  const template = columns.map((c) => c.width).join(' ');
  return (
    <div className="vtable" role="table">
      <div className="vtable-head" role="row" style={{ gridTemplateColumns: template }}>
        {columns.map((c) => (
          <span key={c.title} role="columnheader">
            {c.title}
          </span>
        ))}
      </div>
      <div
        className="vtable-body"
        ref={body}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        data-testid="episode-rows"
      >
        <div style={{ height: (rows.length + (more ? 1 : 0)) * ROW_HEIGHT, position: 'relative' }}>
          {rows.slice(first, last).map((row, i) => {
            const key = rowKey(row);
            return (
              <div
                key={key}
                role="row"
                className={`vtable-row${key === selected ? ' selected' : ''}`}
                style={{ top: (first + i) * ROW_HEIGHT, gridTemplateColumns: template }}
                onClick={() => onSelect?.(row)}
                data-testid="episode-row"
              >
                {columns.map((c) => (
                  <span key={c.title} role="cell">
                    {c.cell(row)}
                  </span>
                ))}
              </div>
            );
          })}
          {more && (
            <div className="vtable-row loading" style={{ top: rows.length * ROW_HEIGHT }}>
              loading more…
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
