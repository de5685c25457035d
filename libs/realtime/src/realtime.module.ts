import { Module } from '@nestjs/common';
import { AuthModule } from '@plinth/auth';
import { CollectionsModule } from '@plinth/collections';
import { CoreModule } from '@plinth/core';
import { RealtimeAuth } from './realtime-auth.js';
import { RealtimeController } from './realtime.controller.js';
import { RealtimeService } from './realtime.service.js';

/**
 * Realtime subscriptions over Server-Sent Events, fanned out across replicas through Redis.
 * Streams are judged by credentials the auth module's resolver accepts at each delivery.
 */
@Module({
  imports: [CoreModule, CollectionsModule, AuthModule],
  controllers: [RealtimeController],
  providers: [RealtimeService, RealtimeAuth],
  exports: [RealtimeService],
})
export class RealtimeModule {}
