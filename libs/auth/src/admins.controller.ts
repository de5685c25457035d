import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { validateBody } from '@plinth/core';
import { AdminsService } from './admins.service.js';

const signInSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['identity', 'password'],
  properties: {
    identity: { type: 'string', minLength: 1, maxLength: 320 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
  },
};

const setupSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'email', 'password'],
  properties: {
    token: { type: 'string', minLength: 1, maxLength: 200 },
    email: { type: 'string', format: 'email', maxLength: 320 },
    password: { type: 'string', minLength: 10, maxLength: 1024 },
  },
};

@Controller('api/admins')
export class AdminsController {
  constructor(private readonly admins: AdminsService) {}

  /** Signs an admin in: `{identity, password}` → `{token, admin}`. */
  @Post('auth-with-password')
  @HttpCode(200)
  authWithPassword(@Body() body: unknown) {
    const input = validateBody<{ identity: string; password: string }>(signInSchema, body);
    return this.admins.authWithPassword(input.identity, input.password);
  }

  /** Creates the first admin with the one-time link printed at boot. */
  @Post('setup')
  @HttpCode(200)
  setupFirstAdmin(@Body() body: unknown) {
    const input = validateBody<{ token: string; email: string; password: string }>(setupSchema, body);
    return this.admins.setupFirstAdmin(input.token, input.email, input.password);
  }
}
