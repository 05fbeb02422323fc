// Durations of drift windows and check intervals as people write them: 90s, 30m, 24h, 7d.

const DURATION = /^(\d+)\s*(s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** '24h' → 86_400_000; undefined for anything else (zero included: an empty window is a mistake). */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (m === null || Number(m[1]) === 0) {
    return undefined;
  }
  return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
}
