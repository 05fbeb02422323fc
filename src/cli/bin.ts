#!/usr/bin/env node
// Process entry: wires stdio and Ctrl-C to the CLI and maps errors to exit codes (the only process.exit).
import { ArginatorError } from '../core/errors.ts';
import { runCli } from './cli.ts';
import { EXIT_INTERNAL, EXIT_INTERRUPTED, exitCodeFor } from './exit-codes.ts';

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  if (interrupts > 1) {
    process.stderr.write('arginator: interrupted twice, exiting now\n');
    process.exit(EXIT_INTERRUPTED);
  }
  process.stderr.write(
    'arginator: interrupting (finishing the current step; Ctrl-C again to force)\n',
  );
  controller.abort();
});
process.on('SIGTERM', () => controller.abort());
// Writing to a closed pipe (e.g. `| head`) is not an error for a CLI.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') {
    process.exit(0);
  }
});

async function main(): Promise<number> {
  try {
    return await runCli(process.argv.slice(2), {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      cwd: process.cwd(),
      signal: controller.signal,
    });
  } catch (e) {
    if (e instanceof ArginatorError) {
      process.stderr.write(`arginator: error: ${e.oneLine()}\n`);
      if (process.env['ARGINATOR_DEBUG'] === '1' && e.stack !== undefined) {
        process.stderr.write(`${e.stack}\n`);
      }
      return exitCodeFor(e.code);
    }
    const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
    process.stderr.write(
      `arginator: internal error (please report it with the command you ran): ${message}\n`,
    );
    return EXIT_INTERNAL;
  }
}

process.exitCode = await main();
