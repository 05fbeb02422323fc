// Reads a whole file into memory of its own (offset 0, so typed arrays of any element size can view
// it without a copy) with as few reads as the OS allows: fs.promises.readFile reads in 512 KiB
// chunks, one thread-pool round trip each, which for the tens of MB of a model's caches costs more
// than the reading itself.
import { open } from 'node:fs/promises';

export async function readWholeFile(path: string): Promise<Uint8Array> {
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
