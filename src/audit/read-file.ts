/**
 * Reads a file of the local audit store or spool, as hostile input: only a regular file (a FIFO
 * named `*.json` would block the read forever, a device never ends), and never more than `max`
 * bytes, counted while reading (a symlink to /dev/zero reports size 0, and a file can grow
 * after a stat).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";

export async function readBoundedFile(path: string, max: number): Promise<string> {
  // O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer; a regular file ignores it.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new Error("not a regular file");
    if (info.size > max) throw new Error(`larger than ${max} bytes`);
    const chunks: Buffer[] = [];
    let total = 0;
    const size = Math.min(max + 1, Math.max(info.size + 1, 4096));
    for (;;) {
      const chunk = Buffer.allocUnsafe(size);
      const { bytesRead } = await handle.read(chunk, 0, size, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > max) throw new Error(`larger than ${max} bytes`);
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total).toString("utf8");
  } finally {
    await handle.close();
  }
}

/**
 * The same, synchronously: a record file is small, and four thread-pool round trips per file
 * (open, stat, read, close) made reading a long log four times slower than the reading itself.
 */
export function readBoundedFileSync(path: string, max: number): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new Error("not a regular file");
    if (info.size > max) throw new Error(`larger than ${max} bytes`);
    // One buffer for every read (the read is synchronous, so nothing else uses it meanwhile): a
    // fresh buffer per file is external memory the garbage collector frees late, hundreds of MB
    // over a long log. A file that grew past the buffer is read on into a larger one.
    let buffer =
      info.size + 1 <= shared.length ? shared : Buffer.allocUnsafe(Math.min(max + 1, info.size + 1));
    let total = 0;
    for (;;) {
      if (total === buffer.length) {
        if (total > max) throw new Error(`larger than ${max} bytes`);
        const bigger = Buffer.allocUnsafe(Math.min(max + 1, buffer.length * 2));
        buffer.copy(bigger, 0, 0, total);
        buffer = bigger;
      }
      const bytesRead = readSync(fd, buffer, total, buffer.length - total, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > max) throw new Error(`larger than ${max} bytes`);
    }
    return buffer.toString("utf8", 0, total);
  } finally {
    closeSync(fd);
  }
}

const shared = Buffer.alloc(256 * 1024);

export function isErrorCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}
