// Progress on stderr: a live bar on a terminal, a line every few seconds otherwise (CI logs), nothing with --quiet.
import { createRequire } from 'node:module';

import type CliProgress from 'cli-progress';

import type { OutputStream } from './cli-io.ts';

// cli-progress (CommonJS, ~30 ms to load) is required only when a bar is drawn on a terminal.
const require = createRequire(import.meta.url);

export interface ProgressReporter {
  /** fraction in [0,1] or undefined when the total is unknown; detail e.g. "1,234 proteins". */
  update(fraction: number | undefined, detail: string): void;
  stop(finalDetail?: string): void;
  /** Ends the display after an error, without claiming completion. */
  fail(): void;
}

export function createProgress(
  stream: OutputStream,
  label: string,
  options: { quiet?: boolean; now?: () => number } = {},
): ProgressReporter {
  if (options.quiet === true) {
    return { update: () => undefined, stop: () => undefined, fail: () => undefined };
  }
  if (stream.isTTY === true) {
    return ttyProgress(stream, label);
  }
  return lineProgress(stream, label, options.now ?? Date.now);
}

/**
 * `n` with thousands separators, as `toLocaleString('en-US')` writes an integer, without its cost:
 * the first locale-aware call loads ICU data (~25 ms, more than predicting one protein).
 */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) {
    return n.toLocaleString('en-US');
  }
  const digits = String(Math.abs(n));
  const grouped = digits.replace(/\B(?=(\d{3})+$)/g, ',');
  return n < 0 ? `-${grouped}` : grouped;
}

function ttyProgress(stream: OutputStream, label: string): ProgressReporter {
  const cliProgress = require('cli-progress') as typeof CliProgress;
  const bar = new cliProgress.SingleBar(
    {
      // cli-progress writes to a NodeJS.WriteStream; ours is the process stderr on a TTY.
      stream: stream as unknown as NodeJS.WriteStream,
      format: `${label} [{bar}] {percentage}% | {detail}`,
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1000, 0, { detail: '' });
  return {
    update(fraction, detail) {
      bar.update(Math.round((fraction ?? 0) * 1000), { detail });
    },
    stop(finalDetail) {
      bar.update(1000, { detail: finalDetail ?? '' });
      bar.stop();
    },
    fail() {
      bar.stop();
    },
  };
}

function lineProgress(stream: OutputStream, label: string, now: () => number): ProgressReporter {
  let last = 0;
  const line = (fraction: number | undefined, detail: string): void => {
    const pct = fraction === undefined ? '' : ` ${(fraction * 100).toFixed(0)}%`;
    stream.write(`${label}${pct} ${detail}\n`);
  };
  return {
    update(fraction, detail) {
      const t = now();
      if (t - last >= 2000) {
        last = t;
        line(fraction, detail);
      }
    },
    stop(finalDetail) {
      line(1, finalDetail ?? 'done');
    },
    fail() {
      line(undefined, 'stopped');
    },
  };
}
