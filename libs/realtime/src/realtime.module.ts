import { Module } from '@nestjs/common';
import { RealtimeAuth } from './realtime-auth.js';
import { RealtimeController } from './realtime.controller.js';
import { RealtimeService } from './realtime.service.js';

/** Realtime subscriptions over Server-Sent Events, fanned out across replicas through Redis. */
@Module({
  controllers: [RealtimeController],
  providers: [RealtimeService, RealtimeAuth],
  exports: [RealtimeService],
})
export class RealtimeModule {}
