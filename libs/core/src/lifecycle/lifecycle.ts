import { Injectable } from '@nestjs/common';

/** Process-wide state the readiness probe reads: once shutdown begins, /api/ready answers 503. */
@Injectable()
export class Lifecycle {
  private draining = false;

  get shuttingDown(): boolean {
    return this.draining;
  }

  beginShutdown(): void {
    this.draining = true;
  }
}
