// Reads a job's input from a request (multipart files or JSON) into the job folder, with every limit.
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

import { DEFAULT_TASK, TASKS } from '../core/domain.ts';
import { limitError, usageError } from '../core/errors.ts';
import type { JobTask } from '../pipeline/jobs/job.ts';
import type { InputLimits } from './job-input.ts';
import { FastaInputWriter } from './job-input.ts';

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

/** Counts a part's bytes; the multipart limit truncates the stream, which becomes a LIMIT error. */
async function* limited(
  file: MultipartFile['file'],
  maxBytes: number,
  source: string,
): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  for await (const chunk of file as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > maxBytes) {
      break;
    }
    yield chunk;
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
}

/**
 * Streams the request's FASTA into `path` and returns the task and display name. Multipart: one or
 * more `file` parts plus the task field; JSON: `sequences` or `fasta` plus `task`.
 */
export async function readJobInput(
  request: FastifyRequest,
  path: string,
  limits: InputLimits,
  taskField: TaskField,
  signal: AbortSignal | undefined,
): Promise<ReadInput & { proteins: number }> {
  const writer = new FastaInputWriter(path, limits);
  try {
    const read = request.isMultipart()
      ? await readMultipart(request, writer, limits, taskField, signal)
      : await readJson(request.body, writer, signal);
    const proteins = await writer.close(read.inputName);
    return { ...read, proteins };
  } catch (e) {
    await writer.discard();
    throw e;
  }
}

async function readJson(
  body: unknown,
  writer: FastaInputWriter,
  signal: AbortSignal | undefined,
): Promise<ReadInput> {
  const input = parseJsonInput(body);
  const source = input.fasta === undefined ? 'sequences' : 'fasta';
  await writer.addStream(once(new TextEncoder().encode(jsonInputFasta(input))), source, signal);
  return { task: input.task, inputName: source };
}

async function readMultipart(
  request: FastifyRequest,
  writer: FastaInputWriter,
  limits: InputLimits,
  taskField: TaskField,
  signal: AbortSignal | undefined,
): Promise<ReadInput> {
  const names: string[] = [];
  let taskValue: string | undefined;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw usageError(
          'http.unknown-field',
          `unknown file field '${part.fieldname}'`,
          "send the FASTA in the multipart field 'file'",
        );
      }
      const name = displayName(part.filename);
      names.push(name);
      await writer.addStream(limited(part.file, limits.maxBytes, name), name, signal);
    } else if (part.fieldname === taskField.name) {
      taskValue = typeof part.value === 'string' ? part.value : String(part.value);
    }
  }
  if (names.length === 0) {
    throw usageError(
      'http.no-file',
      "the request has no 'file' part",
      "send the FASTA as multipart/form-data field 'file' (curl -F file=@proteins.faa)",
    );
  }
  return { task: parseTask(taskValue, taskField), inputName: names.join(', ') };
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
