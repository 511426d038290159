/**
 * Opening a file the user named, for reading by the import (price files and meta files). Whatever the path
 * points at, the import reads only a regular file of bounded size: a FIFO, a device (/dev/zero), a socket or a
 * directory is refused before it is opened, and the file is opened non-blocking and checked again on the open
 * descriptor, so a path swapped for a FIFO between the check and the open can neither block the process nor
 * feed it endless data. Every reader of user paths in data/ goes through openUserFile.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Why a user file cannot be read: 'no-file' (missing, not a regular file, unreadable) or 'too-large'. */
export class UserFileError extends Error {
  constructor(
    readonly code: 'no-file' | 'too-large',
    message: string,
  ) {
    super(message);
    this.name = 'UserFileError';
  }
}

/** What a path points at, in words, for a refusal. */
function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function bytesText(n: number): string {
  if (n >= 1024 ** 3) return `${+(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${+(n / 1024 ** 2).toFixed(2)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(2)} KiB`;
  return `${n} bytes`;
}

function checkStats(st: fs.Stats, maxBytes: number, what: string): void {
  if (!st.isFile())
    throw new UserFileError('no-file', `not a regular file: ${kindOf(st)} (an import reads only regular files)`);
  if (st.size > maxBytes)
    throw new UserFileError(
      'too-large',
      `the ${what} is ${bytesText(st.size)}, more than the ${bytesText(maxBytes)} an import reads`,
    );
}

/**
 * Check a path without opening it. Takes the path, the size limit and what the file is (for messages); gives its
 * size. Throws UserFileError when it is missing, not a regular file, or larger than the limit.
 */
export function statUserFile(file: string, maxBytes: number, what = 'file'): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(path.resolve(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserFileError(
      'no-file',
      code === 'ENOENT' || code === 'ENOTDIR'
        ? `no such ${what}`
        : `cannot read the ${what}: ${code ?? (e as Error).message}`,
    );
  }
  checkStats(st, maxBytes, what);
  return st.size;
}

/** O_NONBLOCK where the platform has it (not on Windows, which has no FIFOs in the file system either). */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/**
 * Open a regular file for reading. Takes the path, the size limit and what the file is; gives the open
 * descriptor (the caller closes it) and the size seen on it. Checks the path first (statUserFile), opens it
 * non-blocking and checks the descriptor again (a regular file within the limit). Throws UserFileError.
 */
export function openUserFile(file: string, maxBytes: number, what = 'file'): { fd: number; size: number } {
  statUserFile(file, maxBytes, what);
  let fd: number;
  try {
    fd = fs.openSync(path.resolve(file), OPEN_FLAGS);
  } catch (e) {
    throw new UserFileError(
      'no-file',
      `cannot open the ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  try {
    const st = fs.fstatSync(fd);
    checkStats(st, maxBytes, what);
    return { fd, size: st.size };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/**
 * Read at most `length` bytes from the start of an open file. Takes the descriptor and the length; gives the
 * bytes read (fewer at the end of the file).
 */
export function readHead(fd: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let n = 0;
  while (n < length) {
    const got = fs.readSync(fd, buf, n, length - n, n);
    if (got === 0) break;
    n += got;
  }
  return buf.subarray(0, n);
}

/**
 * Read a whole regular file of at most `maxBytes` (openUserFile's checks), never more than the size seen when it
 * was opened. Takes the path, the limit and what the file is; gives its bytes. Throws UserFileError.
 */
export function readUserFile(file: string, maxBytes: number, what = 'file'): Buffer {
  const { fd, size } = openUserFile(file, maxBytes, what);
  try {
    return readHead(fd, size);
  } finally {
    fs.closeSync(fd);
  }
}
