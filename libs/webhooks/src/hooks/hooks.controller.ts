import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiJsonBody, ApiNoContent, RequireAdmin, validateBody } from '@plinth/core';
import { HooksService, type HookBody } from './hooks.service.js';
import {
  createHookSchema,
  hookResponseSchema,
  hooksListResponseSchema,
  updateHookSchema,
} from './hooks.schemas.js';

/**
 * Blocking hooks (admins): endpoints asked, signed with Standard Webhooks, before a record create,
 * update, delete or sign-up commits; they answer `{"allow": true}`, `{"allow": true, "patch": {...}}`
 * or `{"allow": false, "message": "...", "data": {...}}` (the client gets 400 HOOK_REFUSED).
 */
@ApiTags('hooks')
@Controller('api/hooks')
@RequireAdmin()
export class HooksController {
  constructor(private readonly hooks: HooksService) {}

  @Get()
  @ApiAnswer(hooksListResponseSchema)
  listHooks() {
    return this.hooks.list();
  }

  /** The answer carries the signing secret: the only time it is shown. */
  @Post()
  @HttpCode(200)
  @ApiJsonBody(createHookSchema)
  @ApiAnswer(hookResponseSchema, 200, 'The hook, with its signing secret (shown this once).')
  createHook(@Body() body: unknown) {
    return this.hooks.create(validateBody<HookBody>(createHookSchema, body));
  }

  @Get(':id')
  @ApiAnswer(hookResponseSchema)
  getHook(@Param('id') id: string) {
    return this.hooks.get(id);
  }

  @Patch(':id')
  @ApiJsonBody(updateHookSchema)
  @ApiAnswer(hookResponseSchema)
  updateHook(@Param('id') id: string, @Body() body: unknown) {
    return this.hooks.update(id, validateBody<HookBody>(updateHookSchema, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContent('The hook is deleted; writes no longer wait for it.')
  deleteHook(@Param('id') id: string) {
    return this.hooks.delete(id);
  }

  /** A new secret; the old one keeps signing beside it for 24 hours. */
  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiAnswer(hookResponseSchema, 200, 'The hook with its new secret (shown this once).')
  rotateHookSecret(@Param('id') id: string) {
    return this.hooks.rotateSecret(id);
  }
}
