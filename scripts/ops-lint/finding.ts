// One problem an ops linter found (Dockerfile, compose file, workflow), printed as `file:line: message [rule]`.

export interface Finding {
  /** Repository-relative path. */
  readonly file: string;
  /** 1-based; 1 when the problem is about the file as a whole. */
  readonly line: number;
  /** Which check: the external linter's name or one of the project rules. */
  readonly rule: string;
  readonly message: string;
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}: ${f.message} [${f.rule}]`;
}
