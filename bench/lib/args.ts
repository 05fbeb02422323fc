// Command-line options of the bench scripts: `--name value`.

/** The value after `--name`, if given. */
export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** `--name` as a positive number, or `fallback` when absent. */
export function argNumber(name: string, fallback: number): number {
  const v = argValue(name);
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    throw new Error(`${name} needs a positive number, got '${v ?? ''}'`);
  }
  return n;
}

/** `--home DIR`, a data directory holding a trained model; the bench cannot run without it. */
export function requiredHome(): string {
  const home = argValue('--home');
  if (home === undefined) {
    throw new Error(
      'pass --home DIR with a trained model (e.g. the DIR of bench/predict-throughput.ts)',
    );
  }
  return home;
}
