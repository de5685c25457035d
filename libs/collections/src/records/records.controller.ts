import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '@plinth/core';
import { parseFields, parseListQuery } from './list-query.js';
import { BatchService } from './batch.service.js';
import { RecordsService } from './records.service.js';

/** The records API (PocketBase's paths and shapes). Rules are judged by RecordsService. */
@Controller('api')
export class RecordsController {
  constructor(
    private readonly records: RecordsService,
    private readonly batches: BatchService,
  ) {}

  @Get('collections/:collection/records')
  listRecords(
    @Param('collection') collection: string,
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() p: Principal,
  ) {
    return this.records.withFreshSchema(() => this.records.list(collection, parseListQuery(query), p));
  }

  @Get('collections/:collection/records/:id')
  viewRecord(
    @Param('collection') collection: string,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() p: Principal,
  ) {
    const q = parseListQuery({ expand: query.expand, fields: query.fields });
    return this.records.withFreshSchema(() =>
      this.records.view(collection, id, { expand: q.expand, fields: parseFields(q.fields?.join(',')) }, p),
    );
  }

  @Post('collections/:collection/records')
  @HttpCode(200)
  createRecord(
    @Param('collection') collection: string,
    @Body() body: unknown,
    @CurrentPrincipal() p: Principal,
  ) {
    return this.records.withFreshSchema(() => this.records.create(collection, body, p));
  }

  @Patch('collections/:collection/records/:id')
  updateRecord(
    @Param('collection') collection: string,
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() p: Principal,
  ) {
    return this.records.withFreshSchema(() => this.records.update(collection, id, body, p));
  }

  @Delete('collections/:collection/records/:id')
  @HttpCode(204)
  async deleteRecord(
    @Param('collection') collection: string,
    @Param('id') id: string,
    @CurrentPrincipal() p: Principal,
  ) {
    await this.records.withFreshSchema(() => this.records.delete(collection, id, p));
  }

  /** Up to 100 record operations in one transaction, all or nothing. */
  @Post('batch')
  @HttpCode(200)
  batch(@Body() body: unknown, @CurrentPrincipal() p: Principal) {
    return this.batches.run(body, p);
  }
}
