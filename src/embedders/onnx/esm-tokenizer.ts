// ESM-2 tokenizer: one token per residue, read from a Hugging Face model folder (tokenizer.json and/or vocab.txt).
//
// ESM's vocabulary is 33 tokens (`<cls> <pad> <eos> <unk> L A G V S E R T I D P K Q N F Y M H W C X B U Z O
// . - <null_1> <mask>`, ids 0..32). A protein is encoded as `<cls> residues <eos>`; a letter that is not in
// the vocabulary becomes `<unk>`; batches are padded with `<pad>`. The special tokens' spellings come from
// special_tokens_map.json / tokenizer_config.json when present, so a folder with another spelling still works.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ArginatorError } from '../../core/errors.ts';

export interface EsmSpecialTokenNames {
  readonly cls: string;
  readonly pad: string;
  readonly eos: string;
  readonly unk: string;
}

export const DEFAULT_ESM_SPECIAL_TOKENS: EsmSpecialTokenNames = {
  cls: '<cls>',
  pad: '<pad>',
  eos: '<eos>',
  unk: '<unk>',
};

/** Parsed contents of a model folder's tokenizer files (any may be absent). */
export interface EsmTokenizerSources {
  /** Parsed tokenizer.json. */
  readonly tokenizerJson?: unknown;
  /** Text of vocab.txt. */
  readonly vocabTxt?: string | undefined;
  /** Parsed special_tokens_map.json. */
  readonly specialTokensMap?: unknown;
  /** Parsed tokenizer_config.json. */
  readonly tokenizerConfig?: unknown;
  /** config.json's pad_token_id, checked against the vocabulary. */
  readonly padTokenId?: number | undefined;
  /** config.json's vocab_size: every id must be below it. */
  readonly vocabSize?: number | undefined;
  /** Folder name for messages. */
  readonly source?: string | undefined;
}

function configError(
  reason: string,
  message: string,
  hint: string,
  source?: string,
): ArginatorError {
  return new ArginatorError('CONFIG', reason, message, hint, { source });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class EsmTokenizer {
  readonly clsId: number;
  readonly padId: number;
  readonly eosId: number;
  readonly unkId: number;
  /** Number of distinct tokens. */
  readonly size: number;
  /** tokenizer_config.json's model_max_length (tokens including specials), if it is a real limit. */
  readonly modelMaxLength: number | undefined;
  private readonly vocab: ReadonlyMap<string, number>;
  /** Residue id by ASCII code; everything else is <unk>. */
  private readonly asciiIds: Int32Array;

  constructor(
    vocab: ReadonlyMap<string, number>,
    special: EsmSpecialTokenNames = DEFAULT_ESM_SPECIAL_TOKENS,
    modelMaxLength?: number,
  ) {
    const idOf = (role: keyof EsmSpecialTokenNames): number => {
      const token = special[role];
      const id = vocab.get(token);
      if (id === undefined) {
        throw configError(
          'onnx.tokenizer-special',
          `the ${role} token '${token}' is not in the vocabulary`,
          'use the tokenizer files that came with the model (vocab.txt / tokenizer.json of the Hugging Face repo)',
        );
      }
      return id;
    };
    this.vocab = vocab;
    this.size = vocab.size;
    this.clsId = idOf('cls');
    this.padId = idOf('pad');
    this.eosId = idOf('eos');
    this.unkId = idOf('unk');
    this.modelMaxLength = modelMaxLength;
    this.asciiIds = new Int32Array(128).fill(this.unkId);
    for (const [token, id] of vocab) {
      const code = token.charCodeAt(0);
      // Only single ASCII characters are residues; '<...>' tokens are never produced from a sequence.
      if (token.length === 1 && code < 128) {
        this.asciiIds[code] = id;
      }
    }
  }

  /** Id of a token string, if it is in the vocabulary. */
  idOf(token: string): number | undefined {
    return this.vocab.get(token);
  }

  /** `<cls> residues <eos>` as token ids. Letters are upper-cased; unknown ones become <unk>. No truncation. */
  encode(residues: string): Int32Array {
    const out = new Int32Array(residues.length + 2);
    out[0] = this.clsId;
    for (let i = 0; i < residues.length; i++) {
      const code = residues.charCodeAt(i);
      const upper = code >= 97 && code <= 122 ? code - 32 : code;
      out[i + 1] = upper < 128 ? (this.asciiIds[upper] ?? this.unkId) : this.unkId;
    }
    out[residues.length + 1] = this.eosId;
    return out;
  }

  /** Canonical text of the vocabulary and special ids, for fingerprints. */
  describe(): string {
    const tokens = [...this.vocab].sort((a, b) => a[1] - b[1]).map(([t, id]) => `${id}\t${t}`);
    return [
      ...tokens,
      `cls=${this.clsId} pad=${this.padId} eos=${this.eosId} unk=${this.unkId}`,
    ].join('\n');
  }
}

function vocabFromTokenizerJson(json: unknown, source?: string): Map<string, number> {
  const model = isRecord(json) ? json.model : undefined;
  const vocab = isRecord(model) ? model.vocab : undefined;
  if (!isRecord(vocab)) {
    throw configError(
      'onnx.tokenizer-json',
      'tokenizer.json has no model.vocab object (token → id)',
      'ESM tokenizers are one token per residue; use the tokenizer.json of an ESM-2 repo, or delete it and keep vocab.txt',
      source,
    );
  }
  const out = new Map<string, number>();
  const add = (token: string, id: unknown) => {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw configError(
        'onnx.tokenizer-json',
        `tokenizer.json gives token '${token}' the id ${String(id)}`,
        'ids must be non-negative integers; re-download the model folder',
        source,
      );
    }
    out.set(token, id);
  };
  for (const [token, id] of Object.entries(vocab)) {
    add(token, id);
  }
  const added = isRecord(json) ? json.added_tokens : undefined;
  if (Array.isArray(added)) {
    for (const entry of added) {
      if (isRecord(entry) && typeof entry.content === 'string') {
        add(entry.content, entry.id);
      }
    }
  }
  return out;
}

function vocabFromVocabTxt(text: string): Map<string, number> {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') {
    lines.pop();
  }
  return new Map(lines.map((token, id) => [token, id]));
}

function sameVocab(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) {
    return false;
  }
  for (const [token, id] of a) {
    if (b.get(token) !== id) {
      return false;
    }
  }
  return true;
}

function tokenName(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  // Newer files write {"content": "<cls>", "lstrip": false, ...}.
  if (isRecord(value) && typeof value.content === 'string') {
    return value.content;
  }
  return undefined;
}

function specialTokenNames(sources: EsmTokenizerSources): EsmSpecialTokenNames {
  const names: Record<keyof EsmSpecialTokenNames, string> = { ...DEFAULT_ESM_SPECIAL_TOKENS };
  // Later sources win, as in Hugging Face: tokenizer_config.json, then special_tokens_map.json.
  for (const file of [sources.tokenizerConfig, sources.specialTokensMap]) {
    if (!isRecord(file)) {
      continue;
    }
    for (const role of ['cls', 'pad', 'eos', 'unk'] as const) {
      const name = tokenName(file[`${role}_token`]);
      if (name !== undefined) {
        names[role] = name;
      }
    }
  }
  return names;
}

function modelMaxLength(tokenizerConfig: unknown): number | undefined {
  const value = isRecord(tokenizerConfig) ? tokenizerConfig.model_max_length : undefined;
  // Hugging Face writes 1e30 for "no limit".
  return typeof value === 'number' && Number.isInteger(value) && value > 2 && value < 1e9
    ? value
    : undefined;
}

/** Builds the tokenizer from already-read files; checks that they agree with each other and config.json. */
export function parseEsmTokenizer(sources: EsmTokenizerSources): EsmTokenizer {
  const { source } = sources;
  const fromJson =
    sources.tokenizerJson === undefined
      ? undefined
      : vocabFromTokenizerJson(sources.tokenizerJson, source);
  const fromTxt = sources.vocabTxt === undefined ? undefined : vocabFromVocabTxt(sources.vocabTxt);
  if (fromJson !== undefined && fromTxt !== undefined && !sameVocab(fromJson, fromTxt)) {
    throw configError(
      'onnx.vocab-mismatch',
      'tokenizer.json and vocab.txt disagree about the token ids',
      'the folder mixes files of different models; copy the whole Hugging Face repo folder again',
      source,
    );
  }
  const vocab = fromJson ?? fromTxt;
  if (vocab === undefined || vocab.size === 0) {
    throw configError(
      'onnx.no-vocab',
      'the model folder has no tokenizer vocabulary (neither tokenizer.json nor vocab.txt)',
      'copy the whole Hugging Face repo folder (e.g. Xenova/esm2_t6_8M_UR50D), including vocab.txt and tokenizer.json',
      source,
    );
  }
  const ids = new Set(vocab.values());
  if (ids.size !== vocab.size) {
    throw configError(
      'onnx.vocab-duplicate-ids',
      'the tokenizer vocabulary gives two tokens the same id',
      're-download the model folder',
      source,
    );
  }
  if (sources.vocabSize !== undefined) {
    const maxId = Math.max(...ids);
    if (maxId >= sources.vocabSize) {
      throw configError(
        'onnx.vocab-size',
        `the tokenizer has id ${maxId} but config.json says vocab_size ${sources.vocabSize}`,
        'the tokenizer files and config.json belong to different models; copy the whole repo folder again',
        source,
      );
    }
  }
  const tokenizer = new EsmTokenizer(
    vocab,
    specialTokenNames(sources),
    modelMaxLength(sources.tokenizerConfig),
  );
  if (sources.padTokenId !== undefined && sources.padTokenId !== tokenizer.padId) {
    throw configError(
      'onnx.pad-id',
      `config.json says pad_token_id ${sources.padTokenId} but the tokenizer's pad token has id ${tokenizer.padId}`,
      'the tokenizer files and config.json belong to different models; copy the whole repo folder again',
      source,
    );
  }
  return tokenizer;
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw e;
  }
}

async function readOptionalJson(file: string, source: string): Promise<unknown> {
  const text = await readOptional(file);
  if (text === undefined) {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ArginatorError(
      'CONFIG',
      'onnx.tokenizer-file-json',
      `${path.basename(file)} is not valid JSON`,
      'copy the file again from the Hugging Face repo (a git clone without git-lfs leaves pointer files)',
      { source },
      { cause },
    );
  }
}

/** Reads tokenizer.json, vocab.txt, special_tokens_map.json and tokenizer_config.json from a model folder. */
export async function loadEsmTokenizer(
  folder: string,
  check: { padTokenId?: number | undefined; vocabSize?: number | undefined } = {},
): Promise<EsmTokenizer> {
  const source = path.basename(folder);
  return parseEsmTokenizer({
    tokenizerJson: await readOptionalJson(path.join(folder, 'tokenizer.json'), source),
    vocabTxt: await readOptional(path.join(folder, 'vocab.txt')),
    specialTokensMap: await readOptionalJson(path.join(folder, 'special_tokens_map.json'), source),
    tokenizerConfig: await readOptionalJson(path.join(folder, 'tokenizer_config.json'), source),
    padTokenId: check.padTokenId,
    vocabSize: check.vocabSize,
    source,
  });
}
