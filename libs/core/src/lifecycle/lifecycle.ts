import { Injectable, OnModuleDestroy } from '@nestjs/common';

/**
 * Process-wide state the readiness probe reads: once shutdown begins, /api/ready answers 503 and
 * answers carry `Connection: close`, so keep-alive connections end with their last request.
 */
@Injectable()
export class Lifecycle implements OnModuleDestroy {
  private draining = false;

  get shuttingDown(): boolean {
    return this.draining;
  }

  beginShutdown(): void {
    this.draining = true;
  }

  /** app.close() runs this before the HTTP server stops (also when tests close an app directly). */
  onModuleDestroy(): void {
    this.draining = true;
  }
}
