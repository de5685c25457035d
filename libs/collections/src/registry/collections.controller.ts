import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiAnswer,
  ApiJsonBody,
  ApiNoContent,
  ApiStringQuery,
  RequireAdmin,
  validateBody,
} from '@plinth/core';
import { ApiTags } from '@nestjs/swagger';
import {
  collectionBodySchema,
  collectionPageSchema,
  collectionSchema,
  exportSchema,
  importResultSchema,
} from './collections-openapi.schemas.js';
import { CollectionsService } from './collections.service.js';
import { SchemaTransfer } from './schema-transfer.js';

export const importSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['collections'],
  properties: {
    collections: { type: 'array', maxItems: 500, items: { type: 'object' } },
    deleteMissing: { type: 'boolean' },
    webhooks: {
      type: 'array',
      maxItems: 500,
      items: { type: 'object' },
      description: 'Webhooks as exported (matched by id); absent: webhooks are left as they are.',
    },
    hooks: {
      type: 'array',
      maxItems: 500,
      items: { type: 'object' },
      description: 'Blocking hooks as exported (matched by id); absent: hooks are left as they are.',
    },
    schedules: {
      type: 'array',
      maxItems: 500,
      items: { type: 'object' },
      description: 'Schedules as exported (matched by name); absent: schedules are left as they are.',
    },
  },
};

/** Admins define collections here; each is a real table in schema `data`. */
@ApiTags('collections')
@Controller('api/collections')
@RequireAdmin()
export class CollectionsController {
  constructor(
    private readonly collections: CollectionsService,
    private readonly transfer: SchemaTransfer,
  ) {}

  @Get()
  @ApiAnswer(collectionPageSchema)
  @ApiStringQuery('page', 'Page number, from 1 (with perPage).')
  @ApiStringQuery('perPage', 'Collections per page, 1 to 500; without it, every collection on one page.')
  listCollections(@Query('page') page?: string, @Query('perPage') perPage?: string) {
    const all = this.collections.list();
    // Paged only when asked: PocketBase's SDK pages through getFullList until a page comes back short.
    const size = Math.min(Math.max(Number.parseInt(perPage ?? '', 10) || all.length, 1), 500);
    const at = Math.max(Number.parseInt(page ?? '', 10) || 1, 1);
    const items = all.slice((at - 1) * size, at * size);
    return {
      page: at,
      perPage: size,
      totalItems: all.length,
      totalPages: Math.ceil(all.length / size),
      items,
    };
  }

  /** The whole schema (collections, webhooks, hooks and schedules without secrets), for `PUT /api/collections/import` elsewhere. */
  @Get('export')
  @ApiAnswer(exportSchema)
  exportCollections() {
    return this.transfer.export();
  }

  @Post()
  @HttpCode(200)
  @ApiJsonBody(collectionBodySchema)
  @ApiAnswer(collectionSchema)
  createCollection(@Body() body: unknown) {
    return this.collections.create(body);
  }

  @Put('import')
  @HttpCode(200)
  @ApiJsonBody(importSchema)
  @ApiStringQuery('dryRun', 'true: only answer the planned changes.')
  @ApiAnswer(importResultSchema)
  importCollections(@Body() body: unknown, @Query('dryRun') dryRun?: string) {
    const input = validateBody<{ collections: unknown[]; deleteMissing?: boolean }>(importSchema, body);
    return this.transfer.import(input, dryRun === 'true' || dryRun === '1');
  }

  @Get(':idOrName')
  @ApiAnswer(collectionSchema)
  getCollection(@Param('idOrName') idOrName: string) {
    return this.collections.get(idOrName);
  }

  @Patch(':idOrName')
  @ApiJsonBody(collectionBodySchema)
  @ApiAnswer(collectionSchema)
  updateCollection(@Param('idOrName') idOrName: string, @Body() body: unknown) {
    return this.collections.update(idOrName, body);
  }

  @Delete(':idOrName')
  @HttpCode(204)
  @ApiNoContent()
  async deleteCollection(@Param('idOrName') idOrName: string) {
    await this.collections.delete(idOrName);
  }
}
