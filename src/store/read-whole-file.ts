// Reads a whole file into memory of its own (offset 0, so typed arrays of any element size can view
// it without a copy) as cheaply as the platform allows. A model's caches are tens of MB read on
// every start-up: copying them into fresh memory costs ~1 ms per MB (page faults plus the copy), so
// where the native addon can map the file (a private copy-on-write map; native/io/map-file.cc) it
// is mapped instead and its pages are faulted in only when touched. Elsewhere the file is read with
// as few reads as the OS allows: fs.promises.readFile reads in 512 KiB chunks, one thread-pool
// round trip each, which for tens of MB costs more than the reading itself.
import { open } from 'node:fs/promises';

import { loadNativeAddon } from '../native/native-addon.ts';

let mapper: ((path: string) => ArrayBuffer | undefined) | null | undefined;

function mapFile(path: string): Uint8Array | undefined {
  if (mapper === undefined) {
    const addon = loadNativeAddon();
    mapper = addon?.mapFile === undefined ? null : addon.mapFile.bind(addon);
  }
  const buffer = mapper?.(path);
  return buffer === undefined ? undefined : new Uint8Array(buffer);
}

export async function readWholeFile(path: string): Promise<Uint8Array> {
  const mapped = mapFile(path);
  if (mapped !== undefined) {
    return mapped;
  }
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const bytes = new Uint8Array(new ArrayBuffer(size));
    let at = 0;
    while (at < size) {
      const { bytesRead } = await file.read(bytes, at, size - at, at);
      if (bytesRead === 0) {
        break; // the file shrank while being read: the caller's size checks reject it
      }
      at += bytesRead;
    }
    return at === size ? bytes : bytes.subarray(0, at);
  } finally {
    await file.close();
  }
}
