// Colours and names of the classes, shared by the table, the map and the exports.
import type { BinaryLabel, MulticlassLabel } from '../api/contract.ts';

/** A Record over the label types: a label added to src/core/domain.ts must get a colour and a name. */
type PerLabel = Readonly<Record<MulticlassLabel | BinaryLabel, string>>;
/** Lookup by any label text (unknown labels fall back). */
const byText = (table: PerLabel, label: string): string | undefined =>
  (table as Readonly<Record<string, string | undefined>>)[label];

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
const COLOURS: PerLabel = {
  A: '#0072B2',
  B: '#E69F00',
  C: '#009E73',
  D: '#CC79A7',
  NBL: '#8C8C8C',
  Betalactamase: '#D55E00',
  'Non-Betalactamase': '#8C8C8C',
};

const FALLBACK = ['#56B4E9', '#F0E442', '#000000', '#D55E00'];

/** The colour of a class label (stable for unknown labels too). */
export function classColour(label: string): string {
  const known = byText(COLOURS, label);
  if (known !== undefined) {
    return known;
  }
  let h = 0;
  for (let i = 0; i < label.length; i += 1) {
    h = (h * 31 + label.charCodeAt(i)) >>> 0;
  }
  return FALLBACK[h % FALLBACK.length] ?? '#000000';
}

const NAMES: PerLabel = {
  A: 'Class A (serine)',
  B: 'Class B (metallo)',
  C: 'Class C (serine, AmpC)',
  D: 'Class D (serine, OXA)',
  NBL: 'Not a β-lactamase',
  Betalactamase: 'β-lactamase',
  'Non-Betalactamase': 'Not a β-lactamase',
};

/** A human name for a class label, e.g. 'B' → 'Class B (metallo)'. */
export function className(label: string): string {
  return byText(NAMES, label) ?? label;
}

export { BINARY_LABELS, MULTICLASS_LABELS } from '../api/contract.ts';
