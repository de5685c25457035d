import { Body, Controller, Get, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiJsonBody, ApiNoContent, CurrentPrincipal, validateBody, type Principal } from '@plinth/core';
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

/** The data of the first event, `PB_CONNECT` (its SSE `id:` is the client id, as in PocketBase). */
export const realtimeConnectResponseSchema = {
  type: 'object',
  required: ['clientId', 'resumeToken'],
  properties: {
    clientId: { type: 'string' },
    resumeToken: {
      type: 'string',
      description: 'Sent back as Last-Event-ID, with the same credentials, to resume this client.',
    },
  },
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
   * Opens the event stream. `Last-Event-ID` (what EventSource resends on its own) holding the resume
   * token of an earlier stream keeps that client and its subscriptions, when this request carries
   * the credentials of the account the client is bound to; otherwise the stream gets a new client.
   */
  @Get('realtime')
  @ApiHeader({
    name: 'last-event-id',
    required: false,
    description:
      "The `resumeToken` of an earlier stream's PB_CONNECT (not the client id, which resumes nothing): resumes that client, " +
      'within the resume window, when sent with the credentials of the account it is bound to.',
  })
  @ApiResponse({
    status: 200,
    description:
      'Server-Sent Events. First `PB_CONNECT` (data `{clientId, resumeToken}`, `id:` the client id), then one event per ' +
      'change, named by the subscription it answers, with data `{action, record}`; `:` comments are heartbeats. ' +
      'The stream ends when the credentials it subscribed with are revoked or expire (subscribe again with ' +
      'fresh ones before then).',
    content: {
      'text/event-stream': {
        schema: { oneOf: [realtimeConnectResponseSchema, realtimeEventResponseSchema] } as never,
      },
    },
  })
  async openRealtime(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.realtime.open(req, reply, principal, authorization, lastEventId || undefined);
  }

  /**
   * Sets the client's subscriptions; the caller's credentials become the auth its events are judged
   * by. The first signed-in caller binds the client to its account: others get 403.
   */
  @Post('realtime')
  @HttpCode(204)
  @ApiJsonBody(setRealtimeSubscriptionsSchema)
  @ApiNoContent('The subscriptions are set.')
  async setRealtimeSubscriptions(
    @Body() body: unknown,
    @Headers('authorization') authorization: string | undefined,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    const input = validateBody<{ clientId: string; subscriptions?: string[] }>(
      setRealtimeSubscriptionsSchema,
      body,
    );
    await this.realtime.setSubscriptions(input.clientId, input.subscriptions ?? [], principal, authorization);
  }
}
