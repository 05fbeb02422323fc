// The service's limits in its own terms: a FASTA parser LIMIT error (which speaks of parser settings such
// as maxSequenceLength) is re-worded to name the server.* setting that sets it (configs/server/default.yaml).
import { ArginatorError } from '../core/errors.ts';
import type { ServerSettings } from './app-deps.ts';

/** What was being read: a job upload (server.max_proteins) or a /v1/predict body (server.sync_max_proteins). */
export type LimitContext = 'job' | 'sync';

type Limits = Pick<
  ServerSettings,
  'max_upload_bytes' | 'max_proteins' | 'max_sequence_length' | 'sync_max_proteins'
>;

function hintFor(reason: string, s: Limits, context: LimitContext): string | undefined {
  switch (reason) {
    case 'fasta.too-long':
      return `split or remove this record; the operator can raise server.max_sequence_length (now ${s.max_sequence_length})`;
    case 'fasta.too-many-records':
      return context === 'sync'
        ? `send at most ${s.sync_max_proteins} proteins per request (server.sync_max_proteins), or submit a job (POST /v1/jobs)`
        : `split the input into several jobs; the operator can raise server.max_proteins (now ${s.max_proteins} per job)`;
    case 'input.too-large':
      return `split the input into several jobs, or gzip it; the operator can raise server.max_upload_bytes (now ${s.max_upload_bytes}, also applied after gunzip)`;
    case 'fasta.too-many-residues':
      return 'split the input into several jobs';
    case 'fasta.header-too-long':
      return 'shorten the description (everything after the first space)';
    default:
      return undefined;
  }
}

/** `e` with a hint that names the server setting, if it is a LIMIT error the service knows; else `e`. */
export function inServerTerms(e: unknown, s: Limits, context: LimitContext): unknown {
  if (!(e instanceof ArginatorError) || e.code !== 'LIMIT') {
    return e;
  }
  const hint = hintFor(e.reason, s, context);
  return hint === undefined ? e : new ArginatorError(e.code, e.reason, e.message, hint, e.location);
}
