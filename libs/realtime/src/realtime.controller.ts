import { Body, Controller, Get, Headers, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ApiJsonBody,
  ApiNoContent,
  ApiStringQuery,
  CurrentPrincipal,
  validateBody,
  type Principal,
} from '@plinth/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RealtimeService } from './realtime.service.js';

/** `POST /api/realtime` (PocketBase's shape). An empty or missing list unsubscribes from everything. */
export const setRealtimeSubscriptionsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['clientId'],
  properties: {
    clientId: { type: 'string', minLength: 1, maxLength: 100 },
    subscriptions: { type: 'array', items: { type: 'string' } },
  },
};

/** The data of the first event, `PB_CONNECT` (its SSE `id:` is the client id too). */
export const realtimeConnectResponseSchema = {
  type: 'object',
  required: ['clientId'],
  properties: { clientId: { type: 'string' } },
};

/** The data of every other event; the event is named by the subscription it answers. */
export const realtimeEventResponseSchema = {
  type: 'object',
  required: ['action', 'record'],
  properties: {
    action: { type: 'string', enum: ['create', 'update', 'delete'] },
    record: { type: 'object' },
  },
};

@ApiTags('realtime')
@Controller('api')
export class RealtimeController {
  constructor(private readonly realtime: RealtimeService) {}

  /**
   * Opens the event stream. `?clientId=` or `Last-Event-ID` (what EventSource resends on its own)
   * naming a client seen within the resume window keeps that client's subscriptions.
   */
  @Get('realtime')
  @ApiStringQuery('clientId', 'Resume this client (seen within the resume window) with its subscriptions.')
  @ApiResponse({
    status: 200,
    description:
      'Server-Sent Events. First `PB_CONNECT` (data `{clientId}`, `id:` the client id), then one event per ' +
      'change, named by the subscription it answers, with data `{action, record}`; `:` comments are heartbeats.',
    content: {
      'text/event-stream': {
        schema: { oneOf: [realtimeConnectResponseSchema, realtimeEventResponseSchema] } as never,
      },
    },
  })
  async openRealtime(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('clientId') clientId: unknown,
    @Headers('last-event-id') lastEventId: string | undefined,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    const resume = typeof clientId === 'string' && clientId ? clientId : lastEventId;
    await this.realtime.open(req, reply, principal, resume);
  }

  /** Sets the client's subscriptions; the caller's credentials become the auth its events are judged by. */
  @Post('realtime')
  @HttpCode(204)
  @ApiJsonBody(setRealtimeSubscriptionsSchema)
  @ApiNoContent('The subscriptions are set.')
  async setRealtimeSubscriptions(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    const input = validateBody<{ clientId: string; subscriptions?: string[] }>(
      setRealtimeSubscriptionsSchema,
      body,
    );
    await this.realtime.setSubscriptions(input.clientId, input.subscriptions ?? [], principal);
  }
}
