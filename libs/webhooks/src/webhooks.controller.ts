import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  ApiAnswer,
  ApiJsonBody,
  ApiNoContent,
  ApiStringQuery,
  RequireAdmin,
  validateBody,
} from '@plinth/core';
import { ApiPageQuery } from './signed-endpoints.js';
import { WebhooksService, type WebhookBody } from './webhooks.service.js';
import {
  createWebhookSchema,
  deliveriesListResponseSchema,
  deliveryResponseSchema,
  replayResponseSchema,
  testEventResponseSchema,
  updateWebhookSchema,
  webhookResponseSchema,
  webhooksListResponseSchema,
} from './webhooks.schemas.js';

/** Webhooks (admins): endpoints signed with Standard Webhooks, their delivery log, replay and a test event. */
@ApiTags('webhooks')
@Controller('api/webhooks')
@RequireAdmin()
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @ApiAnswer(webhooksListResponseSchema)
  listWebhooks() {
    return this.webhooks.list();
  }

  /** The answer carries the signing secret: the only time it is shown. */
  @Post()
  @HttpCode(200)
  @ApiJsonBody(createWebhookSchema)
  @ApiAnswer(webhookResponseSchema, 200, 'The webhook, with its signing secret (shown this once).')
  createWebhook(@Body() body: unknown) {
    return this.webhooks.create(validateBody<WebhookBody>(createWebhookSchema, body));
  }

  @Get(':id')
  @ApiAnswer(webhookResponseSchema)
  getWebhook(@Param('id') id: string) {
    return this.webhooks.get(id);
  }

  /** `enabled: true` turns a disabled webhook on again and sends what waited. */
  @Patch(':id')
  @ApiJsonBody(updateWebhookSchema)
  @ApiAnswer(webhookResponseSchema)
  updateWebhook(@Param('id') id: string, @Body() body: unknown) {
    return this.webhooks.update(id, validateBody<WebhookBody>(updateWebhookSchema, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContent('The webhook and its delivery log are deleted.')
  deleteWebhook(@Param('id') id: string) {
    return this.webhooks.delete(id);
  }

  /** A new secret; the old one keeps signing beside it for 24 hours. */
  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiAnswer(webhookResponseSchema, 200, 'The webhook with its new secret (shown this once).')
  rotateWebhookSecret(@Param('id') id: string) {
    return this.webhooks.rotateSecret(id);
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiAnswer(testEventResponseSchema, 202, 'A `webhook.test` event is queued; follow it in the delivery log.')
  testWebhook(@Param('id') id: string) {
    return this.webhooks.sendTest(id);
  }

  @Get(':id/deliveries')
  @ApiStringQuery('status', 'pending, sending, delivered or dead.')
  @ApiPageQuery()
  @ApiAnswer(deliveriesListResponseSchema, 200, 'Newest first.')
  listWebhookDeliveries(@Param('id') id: string, @Query() query: Record<string, unknown>) {
    return this.webhooks.deliveries(id, query);
  }

  @Get(':id/deliveries/:deliveryId')
  @ApiAnswer(deliveryResponseSchema, 200, 'The delivery with its body and every attempt.')
  getWebhookDelivery(@Param('id') id: string, @Param('deliveryId') deliveryId: string) {
    return this.webhooks.delivery(id, deliveryId);
  }

  @Post(':id/deliveries/:deliveryId/replay')
  @HttpCode(202)
  @ApiAnswer(replayResponseSchema, 202, 'The delivery is sent again with the same webhook-id.')
  replayWebhookDelivery(@Param('id') id: string, @Param('deliveryId') deliveryId: string) {
    return this.webhooks.replay(id, deliveryId);
  }

  @Post(':id/replay-dead')
  @HttpCode(202)
  @ApiAnswer(replayResponseSchema, 202, 'Every dead letter of the webhook is sent again.')
  replayWebhookDeadLetters(@Param('id') id: string) {
    return this.webhooks.replay(id);
  }
}
