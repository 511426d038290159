/**
 * Writing a file at a path a user named (`hdrl export --out`, `hdrl export-prices --out`, the copies the desk keeps
 * of exported reports). The one rule for every such write:
 *
 * - The target must be a regular file or not exist yet. A character or block device, a FIFO, a socket or a
 *   directory is refused with an OutputTargetError before anything is written: renaming a temporary file over
 *   `/dev/null` as root would replace the device with a regular file, and a FIFO would block the writer.
 * - The bytes go to a temporary file created with O_EXCL in the target's own folder (so the final rename stays on
 *   one file system and never follows or clobbers someone else's file), then replace the target in one rename:
 *   a reader sees the old file or the whole new one, never a half-written one.
 * - No temporary file is left behind: it is removed on every failure path (a refused target, a failed write, a
 *   failed rename).
 * - A file the app itself depends on (the open database and its -wal/-shm companions, registered by the engine
 *   with protectFromOutput) is never a target, whatever name reaches it (a relative path, a symbolic or hard link).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A user-named output path that cannot be written (see the file header); the message says why. */
export class OutputTargetError extends Error {
  constructor(
    readonly target: string,
    reason: string,
  ) {
    super(`cannot write ${target}: ${reason}`);
    this.name = 'OutputTargetError';
  }
}

/** Files that no user-named output may replace (absolute paths as registered). */
const protectedFiles = new Set<string>();

/** Register files that no user-named output may replace (the engine registers its database files). */
export function protectFromOutput(...files: string[]): void {
  for (const f of files) protectedFiles.add(path.resolve(f));
}

/** Is `abs` (whose stat is `st` when it exists) one of the protected files, by path or by inode? */
function isProtected(abs: string, st: fs.Stats | undefined): boolean {
  for (const f of protectedFiles) {
    if (f === abs) return true;
    try {
      if (fs.realpathSync(f) === (st ? fs.realpathSync(abs) : abs)) return true;
      if (st) {
        const pst = fs.statSync(f);
        if (pst.dev === st.dev && pst.ino === st.ino) return true;
      }
    } catch {
      // a protected file that does not exist (yet) can only be matched by its path, above
    }
  }
  return false;
}

/** What a path that is not a regular file is, in words; undefined for a regular file. */
function notRegular(st: fs.Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'it is a directory; give a file name';
  if (st.isCharacterDevice()) return 'it is a character device, not a regular file';
  if (st.isBlockDevice()) return 'it is a block device, not a regular file';
  if (st.isFIFO()) return 'it is a named pipe (FIFO), not a regular file';
  if (st.isSocket()) return 'it is a socket, not a regular file';
  return 'it is not a regular file';
}

/**
 * Throw an OutputTargetError unless `target` is a regular file or does not exist (following symbolic links: a
 * link to /dev/null is refused like /dev/null). Returns the absolute path. Writes nothing.
 */
export function checkOutputTarget(target: string): string {
  const abs = path.resolve(target);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      if (isProtected(abs, undefined)) throw new OutputTargetError(target, "it is one of the app's own database files");
      return abs;
    }
    if (code === 'ENOTDIR') throw new OutputTargetError(target, 'a part of its folder path is not a folder');
    throw new OutputTargetError(target, (e as Error).message);
  }
  const why = notRegular(st);
  if (why) throw new OutputTargetError(target, why);
  if (isProtected(abs, st)) throw new OutputTargetError(target, "it is one of the app's own database files");
  return abs;
}

/** Bytes to write, or a function that writes them in pieces through `write`. */
export type OutputContent = Uint8Array | string | ((write: (chunk: Uint8Array | string) => void) => void);

/**
 * Write `content` to the user-named path `target` by the rule of the file header, creating its folder. Returns the
 * absolute path. Throws OutputTargetError for a target that is not a regular file; any other failure (disk full,
 * no permission) is rethrown as it came, after the temporary file is removed.
 */
export function writeOutputFile(target: string, content: OutputContent): string {
  const abs = checkOutputTarget(target);
  const dir = path.dirname(abs);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(abs)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined = fs.openSync(
    tmp,
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL,
    0o666,
  );
  try {
    const write = (chunk: Uint8Array | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (let off = 0; off < bytes.length;) off += fs.writeSync(fd!, bytes, off);
    };
    if (typeof content === 'function') content(write);
    else write(content);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    // the target may have changed while we wrote: look again right before replacing it
    checkOutputTarget(target);
    fs.renameSync(tmp, abs);
    return abs;
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
