// Dataset loader: a folder of HDF5 embedding files labelled by file name (one file per class), as the original system did.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ArginatorError, inputError, isArginatorError, throwIfAborted } from '../core/errors.ts';
import type { LabelledVector } from '../core/data/labelled.ts';
import { AMBLER_CLASSES, BINARY_LABELS, NOT_BETALACTAMASE, type Task } from '../core/domain.ts';
import { readEmbeddings } from './h5wasm-embedding-store.ts';

export type LabelTask = Task;

/** Default Ambler classes, in the order of MULTICLASS_LABELS. */
export const DEFAULT_CLASSES: readonly string[] = AMBLER_CLASSES;

/** Label of 'non' files in the multiclass task. */
export const NEGATIVE_CLASS = NOT_BETALACTAMASE;

/** File extensions read as HDF5. */
export const HDF5_EXTENSIONS: readonly string[] = ['.h5', '.hdf5'];

/**
 * Negative files: 'non' at the start of a word (non_betalactamase, NonBL, non-bla) or the word
 * 'NBL'. Requiring a word start keeps 'canonical' or 'anonymous' from flipping a file negative.
 */
const NEGATIVE_FILE = /(?<![a-z])non|(?<![a-z])nbl(?![a-z])/i;

export interface Hdf5LabelledFolderOptions {
  readonly task: LabelTask;
  /** Multiclass: file-name pattern with one capture group holding the class. Default built from `classes`. */
  readonly classPattern?: RegExp | undefined;
  /** Multiclass: accepted classes (compared upper-case). Default A, B, C, D. */
  readonly classes?: readonly string[] | undefined;
  /** Every vector must have this length; default: the first file's. */
  readonly expectedDim?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Called after each file with (files read, files in the folder). */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

export interface Hdf5FileSummary {
  /** File name inside the folder. */
  readonly file: string;
  readonly label: string;
  readonly count: number;
  readonly dim: number;
}

export interface Hdf5LabelledFolder {
  readonly examples: LabelledVector[];
  /** One row per file, in file-name order. */
  readonly files: Hdf5FileSummary[];
  readonly dim: number;
}

/** The default multiclass pattern for a class list, e.g. /class[_-]?(A|B|C|D)(?![a-z])/i. */
export function defaultClassPattern(classes: readonly string[] = DEFAULT_CLASSES): RegExp {
  const alternatives = classes.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  // (?![a-z]) stops 'class_ab' from reading as A, but allows subclasses like 'class_b1'.
  return new RegExp(`class[_-]?(${alternatives})(?![a-z])`, 'i');
}

/**
 * The label a file name gives its proteins, or undefined when the name matches no rule.
 * Binary: negative files are 'Non-Betalactamase', all others 'Betalactamase'.
 * Multiclass: negative files are 'NBL', others the pattern's capture group in upper case.
 */
export function labelForFileName(
  fileName: string,
  task: LabelTask,
  classPattern: RegExp = defaultClassPattern(),
  classes: readonly string[] = DEFAULT_CLASSES,
): string | undefined {
  const negative = NEGATIVE_FILE.test(fileName);
  if (task === 'binary') {
    return negative ? BINARY_LABELS[1] : BINARY_LABELS[0];
  }
  if (negative) {
    return NEGATIVE_CLASS;
  }
  const captured = classPattern.exec(fileName)?.[1]?.toUpperCase();
  return captured !== undefined && classes.some((c) => c.toUpperCase() === captured)
    ? captured
    : undefined;
}

/** Reads every .h5/.hdf5 file of a folder (not recursive) and labels its vectors by file name. */
export async function loadHdf5LabelledFolder(
  folder: string,
  options: Hdf5LabelledFolderOptions,
): Promise<Hdf5LabelledFolder> {
  const { task, signal, onProgress } = options;
  const classes = (options.classes ?? DEFAULT_CLASSES).map((c) => c.toUpperCase());
  const classPattern = checkPattern(options.classPattern ?? defaultClassPattern(classes));
  const files = await listHdf5Files(folder);

  const labelled = files.map((file) => {
    const label = labelForFileName(file, task, classPattern, classes);
    if (label === undefined) {
      throw inputError(
        'hdf5.unlabelled-file',
        `cannot tell the class of '${file}' from its name: it matches neither ${String(classPattern)} nor 'non'`,
        `rename it to contain e.g. 'class_${classes[0] ?? 'A'}' (classes: ${classes.join(', ')}) or 'non_betalactamase', or move it out of the folder`,
        { source: join(folder, file) },
      );
    }
    return { file, label };
  });

  const examples: LabelledVector[] = [];
  const summaries: Hdf5FileSummary[] = [];
  const fileById = new Map<string, string>();
  let dim = options.expectedDim;
  let dimFile: string | undefined;
  for (const [index, { file, label }] of labelled.entries()) {
    throwIfAborted(signal, `Reading ${folder}`);
    const path = join(folder, file);
    const set = await readEmbeddings(path, { signal, expectedDim: dim }).catch((e: unknown) => {
      throw explainDimension(e, dim, dimFile, path);
    });
    if (dim === undefined) {
      dim = set.dim;
      dimFile = file;
    }
    for (const [i, id] of set.ids.entries()) {
      const other = fileById.get(id);
      if (other !== undefined) {
        throw inputError(
          'hdf5.duplicate-id',
          `protein id '${id}' is in both '${other}' and '${file}'`,
          'keep each protein in exactly one class file',
          { source: folder },
        );
      }
      fileById.set(id, file);
      examples.push({ id, label, vector: set.vectors[i] as Float32Array });
    }
    summaries.push({ file, label, count: set.ids.length, dim: set.dim });
    onProgress?.(index + 1, labelled.length);
  }
  return { examples, files: summaries, dim: dim ?? 0 };
}

function checkPattern(pattern: RegExp): RegExp {
  // Appending '|' makes the regex match '' so exec() reports how many groups it has.
  const groups = (new RegExp(`${pattern.source}|`).exec('')?.length ?? 1) - 1;
  if (groups !== 1) {
    throw new ArginatorError(
      'USAGE',
      'hdf5.class-pattern',
      `the class pattern ${String(pattern)} has ${groups} capture groups; it needs exactly one (the class)`,
      'write it like class[_-]?([abcd]), using (?:...) for any other group',
    );
  }
  // Without 'g'/'y' exec() keeps no lastIndex state between file names.
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
}

/** The .h5/.hdf5 files of a folder (not recursive), sorted; throws when there are none. */
export async function listHdf5Files(folder: string): Promise<string[]> {
  let names: string[];
  try {
    const info = await stat(folder);
    if (!info.isDirectory()) {
      throw inputError(
        'hdf5.not-a-folder',
        'this is a file, not a folder of HDF5 files',
        'pass the folder that holds one .h5 file per class',
        { source: folder },
      );
    }
    names = await readdir(folder);
  } catch (e) {
    if (isArginatorError(e)) {
      throw e;
    }
    throw inputError(
      'hdf5.not-found',
      'the folder of HDF5 files does not exist or cannot be read',
      'check the path (relative paths start at the current folder)',
      { source: folder },
      e,
    );
  }
  const files = names
    .filter(
      (n) => !n.startsWith('.') && HDF5_EXTENSIONS.some((ext) => n.toLowerCase().endsWith(ext)),
    )
    .sort();
  if (files.length === 0) {
    throw inputError(
      'hdf5.no-files',
      `the folder holds no HDF5 files (${HDF5_EXTENSIONS.join(', ')})`,
      'put one embedding file per class in it, e.g. card_class_a_embeddings.h5 ... non_betalactamase_embeddings.h5',
      { source: folder },
    );
  }
  return files;
}

/** Names the file that set the expected dimension, which the per-file reader cannot know. */
function explainDimension(
  e: unknown,
  dim: number | undefined,
  dimFile: string | undefined,
  path: string,
): unknown {
  if (!isArginatorError(e) || e.reason !== 'hdf5.dimension-mismatch' || dimFile === undefined) {
    return e;
  }
  return inputError(
    'hdf5.dimension-mismatch',
    `${e.message} (the first file, '${dimFile}', has ${dim})`,
    'embed every class file with the same model',
    { source: path },
    e,
  );
}
