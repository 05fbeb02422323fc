// Lenient residue reading for validation: sanitises as the FASTA parser does, but lists invalid characters instead of stopping.
import { ByteClass, FIRST_RESIDUE_CODE, RESIDUE_CODES } from '../sequence/alphabet.ts';
import type { InvalidResidue } from './validation-input.ts';

export interface AuditedSequence {
  /** Upper case, B/J/O/U/Z as X, no gaps, whitespace or final '*'; invalid characters dropped. */
  readonly sequence: string;
  readonly invalid: InvalidResidue[];
}

/** Sanitises a record's raw sequence text (its lines joined) and collects what is not an amino acid. */
export function auditResidues(raw: string): AuditedSequence {
  const out: string[] = [];
  const invalid: InvalidResidue[] = [];
  // The one '*' allowed is the last residue; find it first.
  const trimmed = raw.replace(/[\s\-.]+$/u, '');
  const lastStop = trimmed.endsWith('*') ? trimmed.length - 1 : -1;
  let position = 0;
  for (let i = 0; i < trimmed.length; i++) {
    const code = trimmed.charCodeAt(i);
    const cls = code < 256 ? (RESIDUE_CODES[code] as number) : ByteClass.NonAscii;
    if (cls === ByteClass.Skip || cls === ByteClass.Newline) {
      continue;
    }
    position++;
    if (cls >= FIRST_RESIDUE_CODE) {
      out.push(String.fromCharCode(cls));
    } else if (!(cls === ByteClass.Stop && i === lastStop)) {
      invalid.push({ char: trimmed.charAt(i), position });
    }
  }
  return { sequence: out.join(''), invalid };
}
