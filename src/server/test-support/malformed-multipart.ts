// Test helper: seeded generator of malformed (and some well-formed) multipart upload requests.
import { gzipSync } from 'node:zlib';

import type { Rng } from '../../core/rng.ts';
import { shuffleInPlace } from '../../core/rng.ts';
import { randomProtein } from './service-fixture.ts';

/** What the server must do with a case: accept it (2xx), refuse it (4xx), or either. */
export type Expectation = 'accept' | 'refuse' | 'either';

export interface UploadCase {
  readonly name: string;
  readonly url: '/submit_job' | '/v1/jobs';
  readonly contentType: string;
  readonly body: Buffer;
  readonly expect: Expectation;
}

export interface UploadRoute {
  readonly url: '/submit_job' | '/v1/jobs';
  readonly taskField: string;
  readonly taskValues: readonly string[];
  /** The task field may be left out. */
  readonly taskOptional: boolean;
}

export const UPLOAD_ROUTES: readonly UploadRoute[] = [
  {
    url: '/submit_job',
    taskField: 'classification_type',
    taskValues: ['Binary', 'Multiclass'],
    taskOptional: false,
  },
  { url: '/v1/jobs', taskField: 'task', taskValues: ['binary', 'multiclass'], taskOptional: true },
];

/** Part kinds; `bad` ones make any request that has them a refusal. */
const PART_KINDS = {
  'file-ok': 'good',
  'file-gz': 'good',
  'file-octet-no-name': 'good',
  'task-ok': 'good',
  'field-unknown': 'neutral',
  'file-gz-truncated': 'bad',
  'file-garbage': 'bad',
  'file-empty': 'bad',
  'file-bad-residue': 'bad',
  'file-no-header': 'bad',
  'file-too-big': 'bad',
  'file-no-filename': 'bad',
  'file-wrong-field': 'bad',
  'task-bad': 'bad',
  'field-bad-json': 'bad',
  'field-proto': 'bad',
  'part-no-disposition': 'odd',
  'part-bad-header': 'odd',
} as const;

type PartKind = keyof typeof PART_KINDS;

/** Body mutations; `refuse` ones can never give a readable request, `odd` ones may. */
const MUTATIONS = {
  none: 'keep',
  'quoted-boundary': 'keep',
  'preamble-epilogue': 'keep',
  unterminated: 'refuse',
  truncated: 'refuse',
  'wrong-boundary': 'refuse',
  'no-boundary': 'refuse',
  'empty-boundary': 'refuse',
  'empty-body': 'refuse',
  'lf-only': 'odd',
  'flipped-bytes': 'odd',
} as const;

type Mutation = keyof typeof MUTATIONS;

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

function fasta(rng: Rng, prefix: string, n: number): string {
  let text = '';
  for (let i = 0; i < n; i++) {
    text += `>${prefix}_${i} test protein\n${randomProtein(rng, 40 + Math.floor(rng() * 60))}\n`;
  }
  return text;
}

function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    b[i] = Math.floor(rng() * 256);
  }
  return b;
}

const FILENAMES = ['proteins.fa', 'x.faa', '../../etc/passwd', 'ünï cödé.fasta', 'a"b.fa', ''];

function filePart(name: string, filename: string | undefined, data: Buffer, type?: string): Buffer {
  const fn = filename === undefined ? '' : `; filename="${filename.replace(/"/g, '%22')}"`;
  const ct = type === undefined ? '' : `\r\nContent-Type: ${type}`;
  return Buffer.concat([
    Buffer.from(`Content-Disposition: form-data; name="${name}"${fn}${ct}\r\n\r\n`),
    data,
  ]);
}

function fieldPart(name: string, value: string, type?: string): Buffer {
  const ct = type === undefined ? '' : `\r\nContent-Type: ${type}`;
  return Buffer.from(`Content-Disposition: form-data; name="${name}"${ct}\r\n\r\n${value}`);
}

function makePart(rng: Rng, kind: PartKind, route: UploadRoute, index: number): Buffer {
  const octet = 'application/octet-stream';
  const filename = pick(rng, FILENAMES);
  switch (kind) {
    case 'file-ok':
      return filePart('file', filename, Buffer.from(fasta(rng, `p${index}`, 1 + (index % 4))));
    case 'file-gz':
      return filePart('file', 'in.fa.gz', gzipSync(fasta(rng, `g${index}`, 3)), octet);
    case 'file-octet-no-name':
      return filePart('file', undefined, Buffer.from(fasta(rng, `o${index}`, 2)), octet);
    case 'task-ok':
      return fieldPart(route.taskField, pick(rng, route.taskValues));
    case 'field-unknown':
      return fieldPart(pick(rng, ['comment', 'email', 'x']), 'hello');
    case 'file-gz-truncated': {
      const gz = gzipSync(fasta(rng, `t${index}`, 40));
      return filePart(
        'file',
        'cut.fa.gz',
        gz.subarray(0, 10 + Math.floor(rng() * (gz.length - 20))),
      );
    }
    case 'file-garbage':
      return filePart('file', filename, randomBytes(rng, 1 + Math.floor(rng() * 400)), octet);
    case 'file-empty':
      return filePart('file', filename, Buffer.alloc(0));
    case 'file-bad-residue':
      return filePart('file', filename, Buffer.from(`>b${index}\nMKT#AYIAKQR\n`));
    case 'file-no-header':
      return filePart('file', filename, Buffer.from('MKTAYIAKQRQISFVKSHFSRQ\n'));
    case 'file-too-big':
      return filePart('file', 'big.fa', Buffer.from(`>big\n${'ACDEFGHIKL\n'.repeat(7000)}`));
    case 'file-no-filename':
      return fieldPart('file', fasta(rng, `n${index}`, 1));
    case 'file-wrong-field':
      return filePart('upload', filename, Buffer.from(fasta(rng, `w${index}`, 1)));
    case 'task-bad':
      return fieldPart(
        route.taskField,
        pick(rng, ['Sideways', '', 'binary ', 'MULTICLASS', 'ß'.repeat(300), 'Binary\r\nX: y']),
      );
    case 'field-bad-json':
      return fieldPart(route.taskField, '{"task": ', 'application/json');
    case 'field-proto':
      return fieldPart('__proto__', 'x');
    case 'part-no-disposition':
      return Buffer.from(`Content-Type: text/plain\r\n\r\n${fasta(rng, `d${index}`, 1)}`);
    case 'part-bad-header':
      return Buffer.from(`Content-Disposition form-data name=file\r\n\r\n>h\nMKT\n`);
  }
}

const WEIGHTED_KINDS: readonly PartKind[] = [
  ...(Object.keys(PART_KINDS) as PartKind[]),
  // The parts of a good request come more often, so that some cases are whole and accepted.
  'file-ok',
  'file-ok',
  'file-ok',
  'task-ok',
  'task-ok',
  'task-ok',
];

const WEIGHTED_MUTATIONS: readonly Mutation[] = [
  ...(Object.keys(MUTATIONS) as Mutation[]),
  'none',
  'none',
  'none',
  'none',
];

function expectation(
  kinds: readonly PartKind[],
  route: UploadRoute,
  mutation: Mutation,
): Expectation {
  const effect = MUTATIONS[mutation];
  if (effect === 'refuse') {
    return 'refuse';
  }
  const tasks = kinds.filter((k) => k === 'task-ok' || k === 'task-bad' || k === 'field-bad-json');
  const files = kinds.filter((k) => k.startsWith('file-'));
  const bad =
    kinds.some((k) => PART_KINDS[k] === 'bad') ||
    tasks.length > 1 ||
    files.length === 0 ||
    (tasks.length === 0 && !route.taskOptional);
  if (effect === 'odd') {
    // Changed bytes can turn a bad part into a skipped one as well as a good one into a bad one.
    return 'either';
  }
  if (kinds.some((k) => PART_KINDS[k] === 'odd')) {
    // A part the parser may skip or refuse can only make a request worse, never better.
    return bad ? 'refuse' : 'either';
  }
  return bad ? 'refuse' : 'accept';
}

function mutate(
  rng: Rng,
  body: Buffer,
  boundary: string,
  mutation: Mutation,
): {
  body: Buffer;
  contentType: string;
} {
  const type = `multipart/form-data; boundary=${boundary}`;
  const closing = Buffer.from(`--${boundary}--\r\n`);
  switch (mutation) {
    case 'none':
      return { body, contentType: type };
    case 'quoted-boundary':
      return { body, contentType: `multipart/form-data; boundary="${boundary}"` };
    case 'preamble-epilogue':
      return {
        body: Buffer.concat([Buffer.from('this is a preamble\r\n'), body, Buffer.from('epilogue')]),
        contentType: type,
      };
    case 'unterminated':
      return { body: body.subarray(0, body.length - closing.length), contentType: type };
    case 'truncated':
      return {
        body: body.subarray(0, Math.floor(rng() * (body.length - closing.length))),
        contentType: type,
      };
    case 'wrong-boundary':
      return { body, contentType: `multipart/form-data; boundary=${boundary}x` };
    case 'no-boundary':
      return { body, contentType: 'multipart/form-data' };
    case 'empty-boundary':
      return { body, contentType: 'multipart/form-data; boundary=' };
    case 'empty-body':
      return { body: Buffer.alloc(0), contentType: type };
    case 'lf-only':
      return {
        body: Buffer.from(body.toString('latin1').replace(/\r\n/g, '\n'), 'latin1'),
        contentType: type,
      };
    case 'flipped-bytes': {
      const copy = Buffer.from(body);
      for (let i = 0; i < 3; i++) {
        const at = Math.floor(rng() * Math.min(copy.length, 300));
        copy[at] = Math.floor(rng() * 256);
      }
      return { body: copy, contentType: type };
    }
  }
}

/** The `index`-th case of a seeded run (the same seed and index give the same bytes). */
export function uploadCase(rng: Rng, index: number): UploadCase {
  const route = pick(rng, UPLOAD_ROUTES);
  const count = Math.floor(rng() * 5);
  const kinds: PartKind[] = [];
  for (let i = 0; i < count; i++) {
    kinds.push(pick(rng, WEIGHTED_KINDS));
  }
  // Every few cases a whole request (task and file) in a random order.
  if (index % 4 === 0) {
    kinds.push('task-ok', 'file-ok');
    shuffleInPlace(kinds, rng);
  }
  const boundary = `----fuzz${Math.floor(rng() * 1e9).toString(36)}`;
  const chunks: Buffer[] = [];
  kinds.forEach((kind, i) => {
    chunks.push(
      Buffer.from(`--${boundary}\r\n`),
      makePart(rng, kind, route, i),
      Buffer.from('\r\n'),
    );
  });
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const mutation = pick(rng, WEIGHTED_MUTATIONS);
  const { body, contentType } = mutate(rng, Buffer.concat(chunks), boundary, mutation);
  return {
    name: `#${index} ${route.url} [${kinds.join(', ')}] ${mutation}`,
    url: route.url,
    contentType,
    body,
    expect: expectation(kinds, route, mutation),
  };
}
