/** The one rule for writing a user-named output file (src-main/reports/outputFile.ts). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutputTarget, OutputTargetError, writeOutputFile } from '../../src-main/reports/outputFile';
import { tempDir } from '../helpers/engine';

describe('writeOutputFile', () => {
  it('writes a new file, creating its folder, from bytes or from pieces', () => {
    const dir = tempDir();
    const a = path.join(dir, 'sub', 'a.bin');
    expect(writeOutputFile(a, Buffer.from([1, 2, 3]))).toBe(a);
    expect([...fs.readFileSync(a)]).toEqual([1, 2, 3]);
    const b = path.join(dir, 'b.csv');
    writeOutputFile(b, (write) => {
      write('x,y\n');
      write(new Uint8Array([0x31, 0x2c, 0x32, 0x0a]));
    });
    expect(fs.readFileSync(b, 'utf8')).toBe('x,y\n1,2\n');
    expect(fs.readdirSync(dir).sort()).toEqual(['b.csv', 'sub']);
  });

  it('keeps the old file and leaves no temporary file when writing fails half-way', () => {
    const dir = tempDir();
    const f = path.join(dir, 'r.csv');
    fs.writeFileSync(f, 'old');
    expect(() =>
      writeOutputFile(f, (write) => {
        write('half of the new con');
        throw new Error('renderer broke');
      }),
    ).toThrow('renderer broke');
    expect(fs.readFileSync(f, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['r.csv']);
  });

  it('refuses a FIFO, a directory, a device and a link to one, writing nothing', () => {
    const dir = tempDir();
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const folder = path.join(dir, 'folder');
    fs.mkdirSync(folder);
    const link = path.join(dir, 'link');
    fs.symlinkSync('/dev/null', link);
    for (const [target, why] of [
      [fifo, 'it is a named pipe (FIFO), not a regular file'],
      [folder, 'it is a directory; give a file name'],
      ['/dev/null', 'it is a character device, not a regular file'],
      [link, 'it is a character device, not a regular file'],
    ] as const) {
      expect(() => checkOutputTarget(target)).toThrow(OutputTargetError);
      expect(() => writeOutputFile(target, 'x')).toThrow(`cannot write ${target}: ${why}`);
    }
    expect(() => writeOutputFile(path.join(dir, 'link', 'x.csv'), 'x')).toThrow(OutputTargetError);
    expect(fs.statSync(fifo).isFIFO()).toBe(true);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['fifo', 'folder', 'link']);
    expect(fs.readdirSync(folder)).toEqual([]);
  });
});
