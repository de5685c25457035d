import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  ApiAnswer,
  ApiJsonBody,
  ApiNoContent,
  ApiStringQuery,
  CurrentPrincipal,
  RequireAdmin,
  validateBody,
  type Principal,
} from '@plinth/core';
import { PushDevicesService, type RegisterDeviceBody } from './push-devices.service.js';
import { PushMessagesService, type SendPushBody } from './push-messages.service.js';
import { PushTriggersService, type PushTrigger } from './push-triggers.service.js';
import type { PushTargets } from './push.types.js';
import {
  deviceResponseSchema,
  devicesListResponseSchema,
  pushMessageResponseSchema,
  pushMessagesListResponseSchema,
  pushRecipientsResponseSchema,
  pushRecipientsSchema,
  pushTriggersResponseSchema,
  pushTriggersSchema,
  registerDeviceSchema,
  retryPushResponseSchema,
  sendPushResponseSchema,
  sendPushSchema,
  topicSubscriptionResponseSchema,
  topicSubscriptionSchema,
  vapidPublicKeyResponseSchema,
} from './push.schemas.js';
import { VapidKeysService } from './vapid-keys.service.js';

/** Devices and topics (app users), sends and their per-device results (admins, push:send keys). */
@ApiTags('push')
@Controller('api/push')
export class PushController {
  constructor(
    private readonly devices: PushDevicesService,
    private readonly messages: PushMessagesService,
    private readonly triggers: PushTriggersService,
    private readonly vapid: VapidKeysService,
  ) {}

  /** Registers the signed-in user's device; the same token again updates it. */
  @Post('devices')
  @HttpCode(200)
  @ApiJsonBody(registerDeviceSchema)
  @ApiAnswer(deviceResponseSchema, 200, 'The device, new or updated.')
  registerPushDevice(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.devices.register(principal, validateBody<RegisterDeviceBody>(registerDeviceSchema, body));
  }

  @Delete('devices/:id')
  @HttpCode(204)
  @ApiNoContent('The device is removed.')
  async deletePushDevice(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    await this.devices.remove(principal, id);
  }

  /** Every device, for admins: `?user=&platform=&active=&page=&perPage=`. */
  @Get('devices')
  @RequireAdmin()
  @ApiStringQuery('user', "Only this user's devices (record id).")
  @ApiStringQuery('platform', 'fcm, apns or webpush.')
  @ApiStringQuery('active', 'true or false.')
  @ApiStringQuery('page', 'Page number (default 1).')
  @ApiStringQuery('perPage', 'Items per page (default 30, at most 500).')
  @ApiAnswer(devicesListResponseSchema)
  listPushDevices(@Query() query: Record<string, unknown>) {
    return this.devices.list(query);
  }

  @Post('topics/:topic/subscribe')
  @HttpCode(200)
  @ApiJsonBody(topicSubscriptionSchema)
  @ApiAnswer(topicSubscriptionResponseSchema, 200, 'The devices now subscribed.')
  subscribePushTopic(
    @Param('topic') topic: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    const { deviceId } = validateBody<{ deviceId?: string }>(topicSubscriptionSchema, body);
    return this.devices.subscribe(principal, topic, deviceId, true);
  }

  @Post('topics/:topic/unsubscribe')
  @HttpCode(200)
  @ApiJsonBody(topicSubscriptionSchema)
  @ApiAnswer(topicSubscriptionResponseSchema, 200, 'The devices now unsubscribed.')
  unsubscribePushTopic(
    @Param('topic') topic: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    const { deviceId } = validateBody<{ deviceId?: string }>(topicSubscriptionSchema, body);
    return this.devices.subscribe(principal, topic, deviceId, false);
  }

  /** 202 once the message and its deliveries are written and queued. */
  @Post('send')
  @HttpCode(202)
  @ApiJsonBody(sendPushSchema)
  @ApiAnswer(sendPushResponseSchema, 202, 'Accepted: the message and its deliveries are written and queued.')
  sendPush(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    this.messages.assertMaySend(principal);
    return this.messages.send(principal, validateBody<SendPushBody>(sendPushSchema, body));
  }

  /** What a send to these targets would reach now, so a sender is warned before nobody gets it. */
  @Post('recipients')
  @HttpCode(200)
  @ApiJsonBody(pushRecipientsSchema)
  @ApiAnswer(pushRecipientsResponseSchema, 200, 'Active devices per platform and the providers configured.')
  countPushRecipients(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    this.messages.assertMaySend(principal);
    const { targets } = validateBody<{ targets: PushTargets }>(pushRecipientsSchema, body);
    return this.messages.recipients(principal, targets);
  }

  @Get('messages')
  @RequireAdmin()
  @ApiStringQuery('page', 'Page number (default 1).')
  @ApiStringQuery('perPage', 'Items per page (default 30, at most 500).')
  @ApiAnswer(pushMessagesListResponseSchema)
  listPushMessages(@Query() query: Record<string, unknown>) {
    return this.messages.list(query);
  }

  @Get('messages/:id')
  @ApiAnswer(pushMessageResponseSchema, 200, 'Status counts and the result per device.')
  getPushMessage(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.messages.get(principal, id);
  }

  /** Dead letters of the message go back to pending and are sent again. */
  @Post('messages/:id/retry')
  @HttpCode(202)
  @ApiAnswer(retryPushResponseSchema, 202, 'How many dead letters were queued again.')
  retryPushMessage(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.messages.retry(principal, id);
  }

  @Get('vapid-public-key')
  @ApiAnswer(vapidPublicKeyResponseSchema, 200, 'The applicationServerKey for PushManager.subscribe().')
  async getVapidPublicKey() {
    return { publicKey: (await this.vapid.get()).publicKey };
  }

  @Get('triggers/:collection')
  @RequireAdmin()
  @ApiAnswer(pushTriggersResponseSchema)
  getPushTriggers(@Param('collection') collection: string) {
    return this.triggers.get(collection);
  }

  /** Replaces the collection's push triggers (`{triggers: []}` removes them). */
  @Put('triggers/:collection')
  @RequireAdmin()
  @ApiJsonBody(pushTriggersSchema)
  @ApiAnswer(pushTriggersResponseSchema)
  setPushTriggers(@Param('collection') collection: string, @Body() body: unknown) {
    const { triggers } = validateBody<{ triggers: PushTrigger[] }>(pushTriggersSchema, body);
    return this.triggers.set(collection, triggers);
  }
}
