// LSP's base protocol over stdio, checked before vscode-jsonrpc reads it. A frame whose header is not
// `Content-Length: <bytes>` (a word, a negative number, more than MAX_MESSAGE_BYTES, no header at all) would
// leave vscode-jsonrpc's reader out of step for good — every later message read as part of a body — or
// waiting for a body that never comes. This stream drops such a frame, says so, and picks up again at the
// next `Content-Length:` header, so that the server stays usable.
import { Transform, type TransformCallback } from 'node:stream';

/** The largest message accepted: a document of this size is far past what any feature reads. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Headers longer than this are not LSP's (it has two, Content-Length and Content-Type). */
export const MAX_HEADER_BYTES = 8 * 1024;

const HEADER_END = '\r\n\r\n';
const MARK = 'content-length:';

export class FramingGuard extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  /** Body bytes of the current frame still to pass on; -1 while reading headers. */
  private body = -1;
  /** After a bad frame: its body's length is unknown, so bytes are dropped up to the next header. */
  private skipping = false;

  constructor(
    private readonly onBadFrame: (message: string) => void,
    private readonly maxBytes = MAX_MESSAGE_BYTES,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length > 0 && this.step()) {
      // each step consumed something
    }
    done();
  }

  /** Consumes what it can of `pending`; false when it needs more bytes. */
  private step(): boolean {
    if (this.body >= 0) {
      const n = Math.min(this.body, this.pending.length);
      this.push(this.pending.subarray(0, n));
      this.pending = this.pending.subarray(n);
      this.body -= n;
      if (this.body === 0) this.body = -1;
      return n > 0;
    }
    // Header bytes are ASCII; latin1 maps each byte to one character, so indices are byte offsets.
    if (this.skipping) {
      const at = this.pending.toString('latin1').toLowerCase().indexOf(MARK, 1);
      if (at < 0) {
        // Keep a tail that may be the start of the next header.
        this.pending = this.pending.subarray(Math.max(0, this.pending.length - MARK.length));
        return false;
      }
      this.pending = this.pending.subarray(at);
      this.skipping = false;
      return true;
    }
    const text = this.pending.toString('latin1', 0, Math.min(this.pending.length, MAX_HEADER_BYTES + HEADER_END.length));
    const end = text.indexOf(HEADER_END);
    if (end < 0) {
      if (this.pending.length <= MAX_HEADER_BYTES) return false;
      return this.dropFrame(`a header longer than ${MAX_HEADER_BYTES} bytes`);
    }
    const lines = text.slice(0, end).split('\r\n');
    const length = lines.map((line) => /^content-length:[ \t]*(.*?)[ \t]*$/i.exec(line)?.[1]).find((v) => v !== undefined);
    if (length === undefined) return this.dropFrame(`a header without Content-Length (${JSON.stringify(lines[0].slice(0, 60))})`);
    if (!/^\d+$/.test(length)) return this.dropFrame(`"Content-Length: ${length.slice(0, 30)}", not a number of bytes`);
    const bytes = Number(length);
    if (bytes === 0) return this.dropFrame('"Content-Length: 0", an empty message');
    if (bytes > this.maxBytes)
      return this.dropFrame(
        `"Content-Length: ${length.slice(0, 30)}", over the ${this.maxBytes % (1024 * 1024) === 0 ? `${this.maxBytes / (1024 * 1024)} MB` : `${this.maxBytes} bytes`} a message may have`,
      );
    this.push(Buffer.from(`Content-Length: ${bytes}${HEADER_END}`, 'ascii'));
    this.pending = this.pending.subarray(end + HEADER_END.length);
    this.body = bytes;
    return true;
  }

  private dropFrame(why: string): boolean {
    this.onBadFrame(
      `Dropped a message with ${why}: LSP messages start with "Content-Length: <bytes>" and an empty line. Reading goes on at the next Content-Length header.`,
    );
    this.skipping = true;
    return true;
  }
}
