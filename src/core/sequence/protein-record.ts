// The protein record every reader yields and every embedder consumes.

export interface ProteinRecord {
  /** First whitespace-delimited word of the FASTA header, kept exactly. */
  readonly id: string;
  /** Rest of the header after the id (may be empty). */
  readonly description: string;
  /** Sanitised residues: upper-case, 20 standard letters plus X, no gaps, no trailing '*'. */
  readonly sequence: string;
}
