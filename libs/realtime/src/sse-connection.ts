import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Bytes a slow client may leave unread before its stream is closed (it reconnects and resumes). */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * One Server-Sent Events stream written straight to Node's response. Writes never wait: a client
 * that leaves more than MAX_BUFFERED_BYTES unread is cut off instead of growing the heap.
 */
export class SseConnection {
  private ended = false;
  private readonly closeListeners: Array<() => void> = [];

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly onOverflow: () => void = () => undefined,
  ) {
    // Streams live longer than any request timeout; dead peers are found by heartbeats.
    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true, 30_000);
    const closed = () => this.markClosed();
    // The client may have gone while the stream was being set up: its 'close' is past.
    if (req.socket.destroyed || res.destroyed) this.ended = true;
    res.on('close', closed);
    req.on('close', () => {
      // The client went away before the server ended the stream.
      if (!res.writableEnded) closed();
    });
  }

  /** Sends the response head: no compression, no proxy buffering. */
  open(headers: OutgoingHttpHeaders): void {
    this.res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    // Sent at once, so clients see the head before the first event.
    this.res.flushHeaders();
  }

  get closed(): boolean {
    return this.ended;
  }

  /** `data` must be one line (JSON.stringify output is). */
  send(event: string, data: string, id?: string): boolean {
    return this.write(`${id !== undefined ? `id:${id}\n` : ''}event:${event}\ndata:${data}\n\n`);
  }

  comment(text = ''): boolean {
    return this.write(`:${text}\n\n`);
  }

  onClose(listener: () => void): void {
    if (this.ended) listener();
    else this.closeListeners.push(listener);
  }

  /** Ends the stream; `hard` also closes the socket (shutdown: no keep-alive afterwards). */
  close(hard = false): void {
    if (!this.res.writableEnded) this.res.end();
    if (hard) this.req.socket.end();
    this.markClosed();
  }

  private write(chunk: string): boolean {
    if (this.ended || this.res.writableEnded) return false;
    if (this.res.writableLength > MAX_BUFFERED_BYTES) {
      this.onOverflow();
      this.res.destroy();
      this.markClosed();
      return false;
    }
    this.res.write(chunk);
    return true;
  }

  private markClosed(): void {
    if (this.ended) return;
    this.ended = true;
    for (const l of this.closeListeners.splice(0)) l();
  }
}
