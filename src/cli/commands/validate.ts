// `arginator validate INPUT [--split FILE] [--labels FILE] [overrides...]`: check a dataset before training; exit 4 when a rule fails.
import { randomBytes } from 'node:crypto';
import { basename, join, resolve } from 'node:path';

import { usageError } from '../../core/errors.ts';
import type { ValidationSettings } from '../../core/validation/settings.ts';
import { validateInput } from '../../core/validation/validate.ts';
import type { ValidationReport } from '../../core/validation/validation-report.ts';
import { summaryJson } from '../../core/validation/report-render.ts';
import type { ResolvedConfig } from '../../pipeline/config/schema.ts';
import { readValidationInput } from '../../io/validation-input.ts';
import {
  writeValidationReport,
  type ValidationReportFiles,
} from '../../io/validation-report-files.ts';
import { loadFastestPairAligner } from '../../native/load-kernels.ts';
import type { CliIo } from '../cli-io.ts';
import { EXIT_OK, EXIT_VALIDATION } from '../exit-codes.ts';
import { loadConfig } from '../load-config.ts';
import { flag, inputOptions, optionalString } from '../options.ts';

export async function validateCommand(
  args: readonly string[],
  options: Readonly<Record<string, unknown>>,
  io: CliIo,
): Promise<number> {
  const [input, ...overrides] = args;
  if (input === undefined || input.includes('=')) {
    throw usageError(
      'validate.no-input',
      'no input given',
      "write 'arginator validate INPUT' with a FASTA file, an HDF5 embedding file or a folder of per-class HDF5 files (e.g. data/default/default.fasta.gz)",
    );
  }
  const { config } = await loadConfig(overrides, options, io);
  const quiet = flag(options, 'quiet');
  const result = await validateDataset(resolve(io.cwd, input), config, {
    labelsPath: optionalString(options, 'labels', '--labels'),
    splitPath: optionalString(options, 'split', '--split'),
    reportDir: optionalString(options, 'report', '--report'),
    limits: inputOptions(options).limits,
    cwd: io.cwd,
    signal: io.signal,
    say: (line) => {
      if (!quiet) {
        io.stderr.write(`${line}\n`);
      }
    },
  });
  if (flag(options, 'json')) {
    io.stdout.write(
      `${JSON.stringify(summaryJson(result.report, { markdown: result.files.markdown, html: result.files.html, json: result.files.json }))}\n`,
    );
  }
  return result.report.passed ? EXIT_OK : EXIT_VALIDATION;
}

export interface DatasetValidation {
  readonly report: ValidationReport;
  readonly files: ValidationReportFiles;
  /** One line for the terminal: the verdict, the failed rules with their counts, and the report. */
  readonly line: string;
}

export interface ValidateDatasetOptions {
  readonly labelsPath?: string | undefined;
  readonly splitPath?: string | undefined;
  /** The report folder; default <validation.report_dir>/<timestamp>-<input name>. */
  readonly reportDir?: string | undefined;
  /**
   * Run only the rules of severity error (train's gate): warnings cannot stop training, and the
   * near-duplicate search is most of the time on the shipped set (4 of 6 s).
   */
  readonly errorsOnly?: boolean | undefined;
  readonly limits?: Parameters<typeof readValidationInput>[1]['limits'];
  readonly cwd: string;
  readonly signal: AbortSignal;
  readonly say: (line: string) => void;
}

/** The settings of the resolved config's `validation` group. */
export function validationSettings(config: ResolvedConfig): ValidationSettings {
  const v = config.validation;
  return {
    rules: v.rules,
    expectedDim: v.expected_dim,
    nearDuplicateIdentity: v.near_duplicate_identity,
    leakageIdentity: v.leakage_identity,
    minClassFraction: v.min_class_fraction,
    classBalanceView: v.class_balance_view,
    lengthOutlierZ: v.length_outlier_z,
    compositionOutlierZ: v.composition_outlier_z,
    maxAmbiguousFraction: v.max_ambiguous_fraction,
    candidates: v.candidates,
    maxListed: v.max_listed,
  };
}

/** Reads, checks and writes the report of one input; shared by `validate` and `train`. */
export async function validateDataset(
  inputPath: string,
  config: ResolvedConfig,
  options: ValidateDatasetOptions,
): Promise<DatasetValidation> {
  const { say, signal } = options;
  const started = Date.now();
  const all = validationSettings(config);
  const settings: ValidationSettings =
    options.errorsOnly === true
      ? {
          ...all,
          rules: Object.fromEntries(
            Object.entries(all.rules).map(([rule, severity]) => [
              rule,
              severity === 'error' ? 'error' : 'off',
            ]),
          ) as ValidationSettings['rules'],
        }
      : all;
  say(`validating ${inputPath} (${config.task.name})`);
  const input = await readValidationInput(inputPath, {
    task: config.task.name,
    taskLabels: config.task.labels,
    labelsPath:
      options.labelsPath === undefined ? undefined : resolve(options.cwd, options.labelsPath),
    splitPath:
      options.splitPath === undefined ? undefined : resolve(options.cwd, options.splitPath),
    limits: options.limits,
    signal,
  });
  const readMs = Date.now() - started;
  const report = validateInput(input, settings, {
    aligner: loadFastestPairAligner(),
    now: () => performance.now(),
    signal,
  });
  const withRead: ValidationReport = {
    ...report,
    notes:
      options.errorsOnly === true
        ? [
            ...report.notes,
            "run by 'arginator train': only the rules of severity error (warnings are 'off' here; 'arginator validate' runs them)",
          ]
        : report.notes,
    timings: { read: readMs, ...report.timings },
  };
  const root = config.validation.report_dir ?? join(config.paths.home, 'validation');
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const dir =
    options.reportDir === undefined
      ? join(root, `${stamp}-${randomBytes(3).toString('hex')}-${safeName(basename(inputPath))}`)
      : resolve(options.cwd, options.reportDir);
  const files = await writeValidationReport(dir, withRead, {
    minClassFraction: settings.minClassFraction,
    signal,
  });
  for (const r of withRead.rules) {
    if (r.status === 'fail') {
      say(`  ${r.severity === 'error' ? 'FAIL' : 'warn'}  ${r.rule} (${r.count}): ${r.summary}`);
      // The first findings of a failing rule, so the terminal shows what to fix without the report.
      for (const f of r.severity === 'error' ? r.findings.slice(0, 3) : []) {
        say(`        ${f.message}`);
      }
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const failed = withRead.rules.filter((r) => r.status === 'fail' && r.severity === 'error');
  const line = withRead.passed
    ? `validation passed${withRead.warningRules.length > 0 ? ` with warnings (${withRead.warningRules.join(', ')})` : ''} in ${seconds} s: ${files.html}`
    : `validation failed: ${failed.map((r) => `${r.rule} (${r.count})`).join(', ')}; report: ${files.html}`;
  say(line);
  return { report: withRead, files, line };
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
}
