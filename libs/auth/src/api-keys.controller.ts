import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiAnswer,
  ApiJsonBody,
  ApiNoContent,
  CurrentPrincipal,
  RequireAdmin,
  type Principal,
  validateBody,
} from '@plinth/core';
import { ApiTags } from '@nestjs/swagger';
import { apiKeyPageSchema, createdApiKeySchema } from './auth-openapi.schemas.js';
import { ApiKeysService } from './api-keys.service.js';

export const createKeySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'scopes'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    scopes: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', maxLength: 80 } },
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

@ApiTags('api keys')
@Controller('api/keys')
@RequireAdmin()
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** Creates a key; the `key` is in this answer only. */
  @Post()
  @HttpCode(200)
  @ApiJsonBody(createKeySchema)
  @ApiAnswer(createdApiKeySchema)
  createApiKey(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const input = validateBody<{ name: string; scopes: string[]; expiresAt?: string | null }>(
      createKeySchema,
      body,
    );
    return this.keys.create(input, principal.kind === 'admin' ? principal.id : null);
  }

  @Get()
  @ApiAnswer(apiKeyPageSchema)
  async listApiKeys() {
    const items = await this.keys.list();
    return { page: 1, perPage: items.length, totalItems: items.length, totalPages: 1, items };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContent()
  async deleteApiKey(@Param('id') id: string) {
    await this.keys.revoke(id);
  }
}
