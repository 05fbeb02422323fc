import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { Worker } from 'node:worker_threads';

import { loadNativeAddon, NATIVE_ADDON_PATH } from '../native/native-addon.ts';
import { readWholeFile } from './read-whole-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'arginator-read-whole-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readWholeFile', () => {
  it('returns the bytes of the file at offset 0 of their own buffer', async () => {
    const path = join(dir, 'a.bin');
    const data = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 31) & 255);
    writeFileSync(path, data);
    const bytes = await readWholeFile(path);
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.byteLength).toBe(data.byteLength);
    expect(Buffer.from(bytes).equals(Buffer.from(data))).toBe(true);
    // Typed arrays of wider elements can view it (the caches' int32 and float32 arrays).
    expect(new Int32Array(bytes.buffer, 0, 4).length).toBe(4);
  });

  it('a write to the bytes never reaches the file (a private map or a copy)', async () => {
    const path = join(dir, 'b.bin');
    writeFileSync(path, Buffer.from('unchanged'));
    const bytes = await readWholeFile(path);
    bytes[0] = 'X'.charCodeAt(0);
    expect(readFileSync(path, 'utf8')).toBe('unchanged');
    expect(Buffer.from(bytes).toString()).toBe('Xnchanged');
  });

  it('reads an empty file as no bytes and rejects a missing one', async () => {
    const path = join(dir, 'empty.bin');
    writeFileSync(path, '');
    expect((await readWholeFile(path)).byteLength).toBe(0);
    await expect(readWholeFile(join(dir, 'missing.bin'))).rejects.toThrow();
  });

  it('keeps the bytes it read when the file is replaced by rename (how caches are written)', async () => {
    const path = join(dir, 'c.bin');
    writeFileSync(path, Buffer.from('first version'));
    const bytes = await readWholeFile(path);
    writeFileSync(join(dir, 'c.tmp'), Buffer.from('second'));
    const { renameSync } = await import('node:fs');
    renameSync(join(dir, 'c.tmp'), path);
    expect(Buffer.from(bytes).toString()).toBe('first version');
  });

  it.runIf(process.platform !== 'win32')(
    'the native addon maps files here (the fast path is the one tested above)',
    () => {
      const addon = loadNativeAddon();
      const mapFile = addon?.mapFile?.bind(addon);
      // In CI the addon is built: a missing mapFile would silently fall back to copying.
      if (process.env.CI === 'true') {
        expect(mapFile, 'the native addon has no mapFile: did `npm ci` build it?').toBeDefined();
      }
      if (mapFile === undefined) {
        return;
      }
      const path = join(dir, 'd.bin');
      writeFileSync(path, Buffer.from('mapped'));
      expect(mapFile(path)?.byteLength).toBe(6);
      expect(mapFile(join(dir, 'missing.bin'))).toBeUndefined();
      expect(mapFile(dir)).toBeUndefined();
    },
  );

  it('reads into huge-page memory on request: the same bytes, its own buffer, writes stay private', async () => {
    const path = join(dir, 'e.bin');
    // Over one 2 MB page and not a multiple of it: the tail past the file is never exposed.
    const data = Uint8Array.from({ length: (2 << 20) + 12_345 }, (_, i) => (i * 7 + 3) & 255);
    writeFileSync(path, data);
    const bytes = await readWholeFile(path, { hugePages: true });
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.byteLength).toBe(data.byteLength);
    expect(Buffer.from(bytes).equals(Buffer.from(data))).toBe(true);
    bytes[0] = 0;
    expect(readFileSync(path)[0]).toBe(3);
    await expect(readWholeFile(join(dir, 'missing.bin'), { hugePages: true })).rejects.toThrow();
    expect((await readWholeFile(join(dir, 'empty.bin'), { hugePages: true })).byteLength).toBe(0);
  });

  it.runIf(process.platform === 'linux')(
    'the native addon reads into huge pages here (Linux), resolving undefined where it cannot',
    async () => {
      const addon = loadNativeAddon();
      const readFileHuge = addon?.readFileHuge?.bind(addon);
      if (process.env.CI === 'true') {
        expect(
          readFileHuge,
          'the native addon has no readFileHuge: did `npm ci` build it?',
        ).toBeDefined();
      }
      if (readFileHuge === undefined) {
        return;
      }
      const path = join(dir, 'f.bin');
      writeFileSync(path, Buffer.from('huge'));
      expect(Buffer.from((await readFileHuge(path)) ?? new ArrayBuffer(0)).toString()).toBe('huge');
      expect(await readFileHuge(join(dir, 'missing.bin'))).toBeUndefined();
      expect(await readFileHuge(dir)).toBeUndefined();
    },
  );

  it.runIf(process.platform === 'linux')(
    'the same file read again, by this thread or another, is the same memory (one copy per process)',
    async () => {
      const addon = loadNativeAddon();
      if (addon?.mapFile === undefined || addon.readFileHuge === undefined) {
        expect(process.env.CI, 'the native addon is built in CI').not.toBe('true');
        return;
      }
      for (const hugePages of [false, true]) {
        const path = join(dir, `shared-${String(hugePages)}.bin`);
        writeFileSync(path, Buffer.from('shared bytes'));
        const a = await readWholeFile(path, { hugePages });
        const b = await readWholeFile(path, { hugePages });
        a[0] = 'S'.charCodeAt(0);
        // One memory: the write shows through the other view (and never reaches the file).
        expect(Buffer.from(b).toString()).toBe('Shared bytes');
        expect(readFileSync(path, 'utf8')).toBe('shared bytes');
        // A worker thread reading the same file sees it too.
        const code = `
          const { parentPort, workerData } = require('node:worker_threads');
          const addon = require(workerData.addon);
          const read = workerData.hugePages
            ? addon.readFileHuge(workerData.path)
            : Promise.resolve(addon.mapFile(workerData.path));
          read.then((buffer) => parentPort.postMessage(Buffer.from(buffer).toString()));`;
        const worker = new Worker(code, {
          eval: true,
          workerData: { addon: NATIVE_ADDON_PATH, path, hugePages },
        });
        const seen = await new Promise<unknown>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        });
        await worker.terminate();
        expect(seen).toBe('Shared bytes');
      }
    },
  );
});
