// What a command may touch of the process: output streams, environment, cwd and the cancellation signal.

export interface OutputStream {
  write(chunk: string): boolean;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}

export interface CliIo {
  /** Results (tables, JSON summaries). */
  readonly stdout: OutputStream;
  /** Human messages and progress. */
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Aborted on Ctrl-C; every command passes it down. */
  readonly signal: AbortSignal;
}
