// Which rows of a fixed-row-height list are on screen, with at most one expanded row.

export interface WindowInput {
  readonly rowCount: number;
  readonly rowHeight: number;
  /** Position (in the displayed order) of the expanded row, or -1. */
  readonly expanded: number;
  /** Extra height of the expanded row (its evidence panel). */
  readonly expandedExtra: number;
  readonly scrollTop: number;
  readonly viewportHeight: number;
  /** Rows rendered beyond each edge so fast scrolling does not show blanks. */
  readonly overscan: number;
}

export interface WindowOutput {
  /** First and one-past-last rendered positions. */
  readonly start: number;
  readonly end: number;
  /** Height of the whole list, for the scroll spacer. */
  readonly totalHeight: number;
}

/** Top of row `i` in pixels. */
export function rowTop(
  i: number,
  input: Pick<WindowInput, 'rowHeight' | 'expanded' | 'expandedExtra'>,
): number {
  const extra = input.expanded >= 0 && i > input.expanded ? input.expandedExtra : 0;
  return i * input.rowHeight + extra;
}

/** The row at pixel `y` (clamped to the list). */
export function rowAt(y: number, input: WindowInput): number {
  if (input.rowCount === 0) {
    return 0;
  }
  const { rowHeight, expanded, expandedExtra } = input;
  let i: number;
  if (expanded >= 0 && y >= rowTop(expanded + 1, input)) {
    i = Math.floor((y - expandedExtra) / rowHeight);
  } else if (expanded >= 0 && y >= expanded * rowHeight) {
    // Inside the expanded row, evidence panel included.
    i = expanded;
  } else {
    i = Math.floor(y / rowHeight);
  }
  return Math.min(Math.max(i, 0), input.rowCount - 1);
}

/**
 * The rendered slice for a scroll position.
 * @example visibleWindow({ rowCount: 100000, rowHeight: 32, expanded: -1, expandedExtra: 0, scrollTop: 3200, viewportHeight: 320, overscan: 5 }) // { start: 95, end: 115, totalHeight: 3200000 }
 */
export function visibleWindow(input: WindowInput): WindowOutput {
  const extra = input.expanded >= 0 && input.expanded < input.rowCount ? input.expandedExtra : 0;
  const totalHeight = input.rowCount * input.rowHeight + extra;
  if (input.rowCount === 0) {
    return { start: 0, end: 0, totalHeight };
  }
  const first = rowAt(Math.max(0, input.scrollTop), input);
  const last = rowAt(Math.max(0, input.scrollTop + input.viewportHeight - 1), input);
  const start = Math.max(0, first - input.overscan);
  const end = Math.min(input.rowCount, last + 1 + input.overscan);
  return { start, end, totalHeight };
}

/**
 * The scrollTop that brings row `i` fully into view, or the current one if it already is.
 */
export function scrollToReveal(i: number, input: WindowInput): number {
  const top = rowTop(i, input);
  const height = input.rowHeight + (i === input.expanded ? input.expandedExtra : 0);
  if (top < input.scrollTop) {
    return top;
  }
  if (top + height > input.scrollTop + input.viewportHeight) {
    return Math.max(0, top + height - input.viewportHeight);
  }
  return input.scrollTop;
}
