// Number and date formatting for display (the downloads keep the server's exact values).

/**
 * 0.98765 → '98.8%'. Short of certainty never reads as certain: 0.9996 → '99.9%', not '100.0%'
 * (rounded down where rounding would reach 100).
 */
export function percentOfOne(p: number, digits = 1): string {
  const text = (p * 100).toFixed(digits);
  if (p < 1 && Number(text) >= 100) {
    const scale = 10 ** digits;
    return `${(Math.floor(p * 100 * scale) / scale).toFixed(digits)}%`;
  }
  return `${text}%`;
}

/** 98.5 → '98.5%'; null → '—'. */
export function percent(value: number | null, digits = 1): string {
  return value === null ? '—' : `${value.toFixed(digits)}%`;
}

/** 0.912345 → '0.912'. */
export function decimal(value: number | null, digits = 3): string {
  return value === null ? '—' : value.toFixed(digits);
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** ISO time → 'YYYY-MM-DD HH:MM' in local time; unparsable text is returned as is. */
export function dateTime(iso: string | null): string {
  if (iso === null) {
    return '—';
  }
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return iso;
  }
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
