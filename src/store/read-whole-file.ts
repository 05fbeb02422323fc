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
let hugeReader: ((path: string) => Promise<ArrayBuffer | undefined>) | null | undefined;

function mapFile(path: string): Uint8Array | undefined {
  if (mapper === undefined) {
    const addon = loadNativeAddon();
    mapper = addon?.mapFile === undefined ? null : addon.mapFile.bind(addon);
  }
  const buffer = mapper?.(path);
  return buffer === undefined ? undefined : new Uint8Array(buffer);
}

async function readHuge(path: string): Promise<Uint8Array | undefined> {
  if (hugeReader === undefined) {
    const addon = loadNativeAddon();
    hugeReader = addon?.readFileHuge === undefined ? null : addon.readFileHuge.bind(addon);
  }
  const buffer = hugeReader === null ? undefined : await hugeReader(path);
  return buffer === undefined ? undefined : new Uint8Array(buffer);
}

export interface ReadWholeFileOptions {
  /**
   * Read into memory backed by 2 MB pages where the OS offers them (Linux transparent huge pages;
   * native/io/map-file.cc readFileHuge), for a table searched at random: with 4 KB pages most of its
   * reads also miss the TLB. The copy runs on a libuv thread but costs more CPU than a lazy map, so
   * only for tables that are searched on every use. Default false.
   */
  readonly hugePages?: boolean;
}

export async function readWholeFile(
  path: string,
  options: ReadWholeFileOptions = {},
): Promise<Uint8Array> {
  const huge = options.hugePages === true ? await readHuge(path) : undefined;
  if (huge !== undefined) {
    return huge;
  }
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
