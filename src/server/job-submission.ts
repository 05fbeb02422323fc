// Reads a job's input from a request (multipart files or JSON) into the job folder, with every limit.
import type { Multipart, MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

import { DEFAULT_TASK, TASKS } from '../core/domain.ts';
import {
  ArginatorError,
  cancelledError,
  isArginatorError,
  limitError,
  usageError,
} from '../core/errors.ts';
import type { JobTask } from '../pipeline/jobs/job.ts';
import type { InputLimits } from './job-input.ts';
import { FastaCollector, writeInputFile } from './job-input.ts';

/** Where the task comes from: `task` (binary|multiclass) or the original `classification_type`. */
export interface TaskField {
  readonly name: 'task' | 'classification_type';
  readonly values: Readonly<Record<string, JobTask>>;
  /** Used when the field is missing; undefined makes it required. */
  readonly fallback: JobTask | undefined;
}

export const V1_TASK: TaskField = {
  name: 'task',
  values: Object.fromEntries(TASKS.map((t) => [t, t])),
  fallback: DEFAULT_TASK,
};

export const LEGACY_TASK: TaskField = {
  name: 'classification_type',
  values: { Binary: 'binary', Multiclass: 'multiclass' },
  fallback: undefined,
};

/** Ids become FASTA header words, so they are single words of printable characters. */
const sequenceSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(1000)
    .regex(/^[\x21-\x7e]+$/, 'must be one word of printable ASCII (no spaces)'),
  sequence: z.string().min(1),
});

export const jsonInputSchema = z
  .strictObject({
    task: z.enum(TASKS).default(DEFAULT_TASK),
    sequences: z.array(sequenceSchema).min(1).optional(),
    fasta: z.string().min(1).optional(),
  })
  .refine((b) => (b.sequences === undefined) !== (b.fasta === undefined), {
    message: "give either 'sequences' or 'fasta' (not both)",
  });

export type JsonInput = z.output<typeof jsonInputSchema>;

/** Parses a JSON body with the schema; every problem in one USAGE error (HTTP 400). */
export function parseJsonInput(body: unknown): JsonInput {
  const result = jsonInputSchema.safeParse(body);
  if (!result.success) {
    const problems = result.error.issues.map(
      (i) => `${i.path.length === 0 ? 'body' : i.path.join('.')}: ${i.message}`,
    );
    throw usageError(
      'http.bad-body',
      `the request body is not valid (${problems.join('; ')})`,
      'send {"task": "multiclass", "sequences": [{"id": "q1", "sequence": "MKT..."}]} or {"task": ..., "fasta": ">q1\\nMKT..."}',
    );
  }
  return result.data;
}

/** The FASTA text of a JSON input (sequences go through the same parser and checks as files). */
export function jsonInputFasta(input: JsonInput): string {
  if (input.fasta !== undefined) {
    return input.fasta;
  }
  return (input.sequences ?? []).map((s) => `>${s.id}\n${s.sequence}\n`).join('');
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  await Promise.resolve();
  yield bytes;
}

/** The multipart limits set in create-app.ts, for the messages. */
const PART_LIMITS = 'at most 20 files, 20 fields and 50 parts';

/**
 * An error of the multipart parser (busboy, @fastify/multipart) as a typed 4xx: a malformed body,
 * a wrong or missing boundary, an unterminated body, a client gone mid-upload, too many parts.
 */
function multipartError(e: unknown, field: TaskField): ArginatorError {
  if (isArginatorError(e)) {
    return e;
  }
  const message = e instanceof Error ? e.message : String(e);
  if ((e as { statusCode?: unknown } | null)?.statusCode === 413) {
    return limitError(
      'http.multipart-limit',
      `the multipart body is over a limit (${message}); ${PART_LIMITS} are allowed`,
      'send fewer parts: several FASTA records fit in one file part',
    );
  }
  return usageError(
    'http.bad-multipart',
    `the multipart/form-data body cannot be read (${message})`,
    `send a complete multipart/form-data body whose boundary matches the Content-Type header, e.g. curl -F ${field.name}=${Object.keys(field.values)[0] ?? ''} -F file=@proteins.faa URL`,
  );
}

/** The request's parts; the parser's errors become typed 4xx errors. */
async function* multipartParts(
  request: FastifyRequest,
  field: TaskField,
): AsyncGenerator<Multipart> {
  try {
    for await (const part of request.parts()) {
      yield part;
    }
  } catch (e) {
    throw multipartError(e, field);
  }
}

/**
 * Counts a part's bytes; the multipart limit truncates the stream, which becomes a LIMIT error.
 * Errors of the part stream (body cut off, client gone) become typed errors here, so the gunzip
 * and the parser downstream pass them on unchanged.
 */
async function* limited(
  file: MultipartFile['file'],
  maxBytes: number,
  source: string,
  field: TaskField,
): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  try {
    for await (const chunk of file as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        break;
      }
      yield chunk;
    }
  } catch (e) {
    throw multipartError(e, field);
  }
  if (bytes > maxBytes || file.truncated) {
    throw limitError(
      'input.too-large',
      `the upload is larger than the limit of ${maxBytes} bytes`,
      'split the input into several jobs, or gzip it (the limit also applies after gunzip)',
      { source },
    );
  }
}

/** The file name a client sent, as display text only (never a path): its last segment, printable. */
export function displayName(filename: string | undefined): string {
  const base = (filename ?? '').split(/[\\/]/).pop() ?? '';
  let printable = '';
  for (const c of base) {
    if (c >= ' ' && c !== '\x7f') {
      printable += c;
    }
  }
  return printable.slice(0, 200) || 'upload';
}

export interface ReadInput {
  readonly task: JobTask;
  readonly inputName: string;
  readonly proteins: number;
}

/** Where an input's text generator leaves what it read, once it has read all of it. */
interface ReadResult {
  value?: ReadInput;
}

/**
 * Streams the request's FASTA into `path` and returns the task and display name. Multipart: one or
 * more `file` parts plus the task field; JSON: `sequences` or `fasta` plus `task`. On any error
 * the partial file is gone when this rejects, and the rest of an upload is discarded.
 */
export async function readJobInput(
  request: FastifyRequest,
  path: string,
  limits: InputLimits,
  taskField: TaskField,
  signal: AbortSignal | undefined,
): Promise<ReadInput> {
  const collector = new FastaCollector(limits);
  const result: ReadResult = {};
  await writeInputFile(
    path,
    request.isMultipart()
      ? multipartText(request, collector, limits, taskField, signal, result)
      : jsonText(request.body, collector, signal, result),
  );
  if (result.value === undefined) {
    throw new ArginatorError(
      'INTERNAL',
      'http.input-unread',
      'the input was written but not read to its end',
      'report this bug with the request id',
    );
  }
  return result.value;
}

async function* jsonText(
  body: unknown,
  collector: FastaCollector,
  signal: AbortSignal | undefined,
  result: ReadResult,
): AsyncGenerator<string> {
  const input = parseJsonInput(body);
  const source = input.fasta === undefined ? 'sequences' : 'fasta';
  yield* collector.fromStream(
    once(new TextEncoder().encode(jsonInputFasta(input))),
    source,
    signal,
  );
  result.value = { task: input.task, inputName: source, proteins: collector.finish(source) };
}

/**
 * Gives up on an upload after an error: the part being read is destroyed and the rest of the body
 * is read and dropped, so the client can finish sending and read the 4xx (problem.ts closes the
 * connection of a request that was not read to its end).
 */
function abandonUpload(request: FastifyRequest, open: MultipartFile | undefined): void {
  open?.file.destroy();
  request.raw.unpipe();
  request.raw.resume();
}

/**
 * The FASTA text of the multipart parts, checked as they arrive: a bad task field fails before any
 * file is read, whichever order the parts come in.
 */
async function* multipartText(
  request: FastifyRequest,
  collector: FastaCollector,
  limits: InputLimits,
  taskField: TaskField,
  signal: AbortSignal | undefined,
  result: ReadResult,
): AsyncGenerator<string> {
  const names: string[] = [];
  let task: JobTask | undefined;
  let open: MultipartFile | undefined;
  let complete = false;
  try {
    // A request already closed would never end the multipart parser's iteration.
    if (signal?.aborted === true || request.raw.destroyed) {
      throw cancelledError('Reading the upload');
    }
    for await (const part of multipartParts(request, taskField)) {
      if (part.type === 'file') {
        open = part;
        if (part.fieldname !== 'file') {
          // busboy gives no field name (undefined, despite the types) to a part without name="...".
          const field = (part.fieldname as string | undefined) ?? '';
          throw usageError(
            'http.unknown-field',
            field === ''
              ? 'a file part has no field name'
              : `unknown file field '${field.slice(0, 40)}'`,
            "send the FASTA in the multipart field 'file'",
          );
        }
        const name = displayName(part.filename);
        names.push(name);
        yield* collector.fromStream(
          limited(part.file, limits.maxBytes, name, taskField),
          name,
          signal,
        );
        open = undefined;
      } else if (part.fieldname === taskField.name) {
        if (task !== undefined) {
          throw usageError(
            'http.duplicate-field',
            `the field '${taskField.name}' is sent more than once`,
            `send ${taskField.name} once`,
          );
        }
        task = parseTask(
          typeof part.value === 'string' ? part.value : String(part.value),
          taskField,
        );
      } else if (part.fieldname === 'file') {
        throw usageError(
          'http.file-not-a-file',
          "the 'file' part has no filename, so it arrived as a text field, not a file",
          "send the FASTA as a file part with a filename: curl -F file=@proteins.faa (the '@' makes it a file)",
        );
      }
    }
    if (names.length === 0) {
      throw usageError(
        'http.no-file',
        "the request has no 'file' part",
        "send the FASTA as multipart/form-data field 'file' (curl -F file=@proteins.faa)",
      );
    }
    const inputName = names.join(', ');
    result.value = {
      task: task ?? parseTask(undefined, taskField),
      inputName,
      proteins: collector.finish(inputName),
    };
    complete = true;
  } finally {
    if (!complete) {
      abandonUpload(request, open);
    }
  }
}

function parseTask(value: string | undefined, field: TaskField): JobTask {
  const allowed = Object.keys(field.values).join(' or ');
  if (value === undefined) {
    if (field.fallback !== undefined) {
      return field.fallback;
    }
    throw usageError(
      'http.missing-task',
      `the field '${field.name}' is missing`,
      `send ${field.name}=${allowed}`,
    );
  }
  const task = field.values[value];
  if (task === undefined) {
    throw usageError(
      'http.bad-task',
      `'${field.name}' must be ${allowed}, got '${value.slice(0, 40)}'`,
      `send ${field.name}=${Object.keys(field.values)[0] ?? ''}`,
    );
  }
  return task;
}
