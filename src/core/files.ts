// Reads the files a person names (config files, datasets): regular files only, up to a size, never a FIFO or device.
import * as fs from 'node:fs';
import { EngineError, type ErrorCode } from './errors';

export interface FileLimits {
  /** What the file is, as the messages call it: "the config file", "the dataset". */
  what: string;
  maxBytes: number;
  /** 'config' for settings files, 'usage' for files given on the command line. */
  code: Extract<ErrorCode, 'config' | 'usage'>;
  /** What to do instead. */
  hint: string;
}

const CHUNK = 1 << 20;

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The file's text. Opened without blocking (a FIFO with no writer would wait forever), refused unless it is a
 * regular file (also through a symlink: /dev/zero never ends), and read no further than `maxBytes`: a file
 * that reports size 0 and grows is caught too.
 */
export function readTextFile(file: string, limits: FileLimits): string {
  const fail = (why: string, cause?: unknown) =>
    new EngineError({ code: limits.code, message: `Cannot read ${limits.what} ${file}: ${why}.`, hint: limits.hint }, { cause });
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw fail((err as Error).message, err);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw fail(`it is ${kindOf(stat)}, not a regular file`);
    const tooLarge = () => fail(`it is larger than ${limits.maxBytes / (1 << 20)} MiB, the most SpecSearch reads of ${limits.what}`);
    if (stat.size > limits.maxBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, limits.maxBytes + 1 - total));
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limits.maxBytes) throw tooLarge();
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw fail((err as Error).message, err);
  } finally {
    fs.closeSync(fd);
  }
}
