// Tests for the ESM tokenizer: real tokenizer files (the committed tiny fixture) and hand-written variants.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArginatorError } from '../../core/errors.ts';
import { loadEsmTokenizer, parseEsmTokenizer } from './esm-tokenizer.ts';

const FIXTURE = path.resolve(import.meta.dirname, '../../../fixtures/onnx-tiny');

// Written out here on purpose (not imported from the fixture script): the ESM-2 vocabulary, ids 0..32.
const ESM_VOCAB =
  '<cls> <pad> <eos> <unk> L A G V S E R T I D P K Q N F Y M H W C X B U Z O . - <null_1> <mask>'.split(
    ' ',
  );

function codeOf(e: unknown): string | undefined {
  return e instanceof ArginatorError ? `${e.code}:${e.reason}` : undefined;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('loadEsmTokenizer on the tiny fixture folder', () => {
  it('reads the ESM-2 vocabulary in order and the special tokens', async () => {
    const tok = await loadEsmTokenizer(FIXTURE, { padTokenId: 1, vocabSize: 33 });
    expect(tok.size).toBe(33);
    ESM_VOCAB.forEach((token, id) => {
      expect(tok.idOf(token)).toBe(id);
    });
    expect([tok.clsId, tok.padId, tok.eosId, tok.unkId]).toEqual([0, 1, 2, 3]);
    expect(tok.modelMaxLength).toBe(64);
  });

  it('encodes <cls> residues <eos>, upper-casing, unknown letters as <unk>', async () => {
    const tok = await loadEsmTokenizer(FIXTURE);
    expect(Array.from(tok.encode('MKV'))).toEqual([0, 20, 15, 7, 2]);
    expect(Array.from(tok.encode('mkv'))).toEqual([0, 20, 15, 7, 2]);
    expect(Array.from(tok.encode('AJX*é'))).toEqual([0, 5, 3, 24, 3, 3, 2]);
    expect(Array.from(tok.encode(''))).toEqual([0, 2]);
  });

  it('rejects a pad_token_id or vocab_size that contradicts the files', async () => {
    await expect(loadEsmTokenizer(FIXTURE, { padTokenId: 0 })).rejects.toMatchObject({
      code: 'CONFIG',
      reason: 'onnx.pad-id',
    });
    await expect(loadEsmTokenizer(FIXTURE, { vocabSize: 20 })).rejects.toMatchObject({
      reason: 'onnx.vocab-size',
    });
  });
});

describe('parseEsmTokenizer', () => {
  const vocabTxt = `${ESM_VOCAB.join('\n')}\n`;
  const tokenizerJson = {
    model: { type: 'WordLevel', vocab: Object.fromEntries(ESM_VOCAB.map((t, i) => [t, i])) },
  };

  it('works from vocab.txt alone and from tokenizer.json alone, identically', () => {
    const a = parseEsmTokenizer({ vocabTxt });
    const b = parseEsmTokenizer({ tokenizerJson });
    expect(a.describe()).toBe(b.describe());
    expect(Array.from(a.encode('LAGV'))).toEqual([0, 4, 5, 6, 7, 2]);
  });

  it('merges added_tokens from tokenizer.json', () => {
    const vocab = Object.fromEntries(ESM_VOCAB.slice(4, 32).map((t, i) => [t, i + 4]));
    const tok = parseEsmTokenizer({
      tokenizerJson: {
        added_tokens: ['<cls>', '<pad>', '<eos>', '<unk>']
          .map((content, id) => ({ id, content, special: true }))
          .concat([{ id: 32, content: '<mask>', special: true }]),
        model: { vocab },
      },
    });
    expect(tok.size).toBe(33);
    expect(tok.idOf('<mask>')).toBe(32);
  });

  it('takes special-token spellings from special_tokens_map.json, including {content} objects', () => {
    const vocab = ESM_VOCAB.map((t) => (t === '<cls>' ? '<s>' : t === '<eos>' ? '</s>' : t));
    const tok = parseEsmTokenizer({
      vocabTxt: vocab.join('\n'),
      tokenizerConfig: { cls_token: '<wrong>' },
      specialTokensMap: { cls_token: { content: '<s>', lstrip: false }, eos_token: '</s>' },
    });
    expect(Array.from(tok.encode('A'))).toEqual([0, 5, 2]);
  });

  it('fails with a CONFIG error and a fix when files are missing or disagree', () => {
    expect(codeOf(thrown(() => parseEsmTokenizer({})))).toBe('CONFIG:onnx.no-vocab');
    const shuffled = [...ESM_VOCAB];
    [shuffled[4], shuffled[5]] = [shuffled[5] ?? '', shuffled[4] ?? ''];
    expect(
      codeOf(thrown(() => parseEsmTokenizer({ tokenizerJson, vocabTxt: shuffled.join('\n') }))),
    ).toBe('CONFIG:onnx.vocab-mismatch');
    expect(codeOf(thrown(() => parseEsmTokenizer({ tokenizerJson: { model: {} } })))).toBe(
      'CONFIG:onnx.tokenizer-json',
    );
    expect(codeOf(thrown(() => parseEsmTokenizer({ vocabTxt: 'A\nB\n' })))).toBe(
      'CONFIG:onnx.tokenizer-special',
    );
    const err = thrown(() => parseEsmTokenizer({}));
    expect(err instanceof ArginatorError && err.hint).toMatch(/vocab\.txt/);
  });

  it('ignores model_max_length when it is the "no limit" sentinel', () => {
    const tok = parseEsmTokenizer({
      vocabTxt,
      tokenizerConfig: { model_max_length: 1000000000000000019884624838656 },
    });
    expect(tok.modelMaxLength).toBeUndefined();
  });
});

describe('loadEsmTokenizer on partial folders', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'esm-tok-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a folder with only vocab.txt', async () => {
    await writeFile(path.join(dir, 'vocab.txt'), ESM_VOCAB.join('\n'));
    const tok = await loadEsmTokenizer(dir);
    expect(tok.size).toBe(33);
  });

  it('reports a broken JSON file by name', async () => {
    await writeFile(
      path.join(dir, 'tokenizer.json'),
      'version https://git-lfs.github.com/spec/v1\n',
    );
    await expect(loadEsmTokenizer(dir)).rejects.toMatchObject({
      code: 'CONFIG',
      reason: 'onnx.tokenizer-file-json',
      message: expect.stringContaining('tokenizer.json') as unknown,
    });
  });
});
