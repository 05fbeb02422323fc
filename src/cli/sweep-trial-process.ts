// The TrialLauncher of `arginator sweep`: each trial is a child process (sweep-trial-main) so trials run in parallel on separate cores.
import { fork } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { TrialEnd, TrialLauncher } from '../pipeline/sweep/run-sweep.ts';
import type { FromTrial, ToTrial } from './sweep-trial-protocol.ts';

/** A trial asked to stop that has not ended after this long is killed. */
const STOP_GRACE_MS = 120_000;

export interface ProcessLauncherOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Options passed on to the trial's config loading (e.g. configDir). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Where each trial's stderr goes (its training log). */
  readonly logPath: (trial: number) => string;
}

/**
 * Starts sweep-trial-main as a child with an IPC channel. From TypeScript sources (tests, dev) the
 * child runs under tsx, as the worker threads do (server/worker-pool.ts).
 */
export function processTrialLauncher(options: ProcessLauncherOptions): TrialLauncher {
  const fromTs = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(
    new URL(fromTs ? './sweep-trial-main.ts' : './sweep-trial-main.js', import.meta.url),
  );
  return (trial, onEpoch) => {
    const logPath = options.logPath(trial.index);
    mkdirSync(dirname(logPath), { recursive: true });
    const log = createWriteStream(logPath, { flags: 'a' });
    const child = fork(entry, [], {
      cwd: options.cwd,
      env: options.env,
      execArgv: fromTs ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let tail = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      log.write(d);
      tail = (tail + d).slice(-2000);
    });
    let end: TrialEnd | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const done = new Promise<TrialEnd>((resolve) => {
      child.on('message', (m: FromTrial) => {
        if (m.type === 'epoch') {
          onEpoch(m.metrics);
        } else {
          end = { status: m.status, runId: m.runId, error: m.error, final: m.final };
        }
      });
      child.on('exit', (code, signal) => {
        clearTimeout(killTimer);
        log.end();
        const lastLine =
          tail
            .trim()
            .split('\n')
            .filter((l) => l.trim() !== '')
            .at(-1) ?? '';
        resolve(
          end ?? {
            status: 'failed',
            error: `the trial process exited (${signal ?? `code ${String(code)}`}) before reporting: ${lastLine}`,
            final: {},
          },
        );
      });
    });
    const start: ToTrial = {
      type: 'start',
      overrides: trial.overrides,
      options: options.options,
      sweepId: trial.sweepId,
      trial: trial.index,
    };
    child.send(start);
    return {
      stop: () => {
        if (child.connected) {
          child.send({ type: 'stop' } satisfies ToTrial);
        }
        killTimer ??= setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      },
      done,
    };
  };
}
