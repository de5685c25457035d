import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';

/**
 * An in-process bus for things that already happened (emitted after their change committed). A
 * subscriber that throws is logged and does not keep the event from the subscribers after it, nor
 * turn the emitter's answer into an error. Fan-out to other replicas is the subscriber's business.
 */
export class EventBus<T> {
  private readonly logger: Logger;
  private readonly emitter = new EventEmitter().setMaxListeners(100);

  constructor(
    name: string,
    private readonly describe: (event: T) => string,
  ) {
    this.logger = new Logger(name);
  }

  emit(event: T): void {
    for (const listener of this.emitter.listeners('event') as Array<(event: T) => void>) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error(
          `A subscriber failed on ${this.describe(event)}: ${(err as Error)?.message ?? String(err)}`,
        );
      }
    }
  }

  subscribe(listener: (event: T) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
