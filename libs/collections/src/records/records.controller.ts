import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import { ApiAnswer, ApiJsonBody, CurrentPrincipal, type Principal } from '@plinth/core';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseFields, parseListQuery } from './list-query.js';
import { clientGone } from './client-gone.js';
import { batchSchema, BatchService } from './batch.service.js';

const batchResultSchema = {
  type: 'array',
  description: 'One answer per request, in order (the whole batch is one transaction).',
  items: {
    type: 'object',
    required: ['status', 'body'],
    additionalProperties: false,
    properties: { status: { type: 'integer' }, body: { description: 'The record, or null for a delete.' } },
  },
};
import { type FormPart, RecordsService } from './records.service.js';
import { WriteLimits } from './write-limits.js';
import { RecordAggregator } from './read/record-aggregator.js';
import { RequestInfoInterceptor } from './request-info.js';

/** A request whose body @fastify/multipart left unread (file uploads stream from it). */
type MaybeMultipart = FastifyRequest & { isMultipart?: () => boolean; parts?: () => AsyncIterable<FormPart> };

const formParts = (req: MaybeMultipart): AsyncIterable<FormPart> | undefined =>
  req.isMultipart?.() && req.parts ? req.parts() : undefined;

/** The records API (PocketBase's paths and shapes). Rules are judged in rules/record-rules.ts. */
@Controller('api')
@UseInterceptors(RequestInfoInterceptor)
export class RecordsController {
  constructor(
    private readonly records: RecordsService,
    private readonly batches: BatchService,
    private readonly limits: WriteLimits,
    private readonly aggregator: RecordAggregator,
  ) {}

  @Get('collections/:collection/records')
  listRecords(
    @Param('collection') collection: string,
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const signal = clientGone(reply);
    return this.records.withFreshSchema(() =>
      this.records.list(collection, parseListQuery(query), p, signal),
    );
  }

  /**
   * Groups and aggregates of the records the caller may list: `groupBy=status,created:day`,
   * `fields=count(),sum(total)`, `filter`, `having`, `sort`, `page`, `perPage` (at most 1,000 groups).
   */
  @Get('collections/:collection/aggregate')
  aggregateRecords(
    @Param('collection') collection: string,
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const signal = clientGone(reply);
    return this.records.withFreshSchema(() => this.aggregator.aggregate(collection, query, p, signal));
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
  async createRecord(
    @Param('collection') collection: string,
    @Body() body: unknown,
    @CurrentPrincipal() p: Principal,
    @Req() req: MaybeMultipart,
  ) {
    await this.limits.signUps(collection, 1, req.ip, p);
    // A multipart body is a stream read once: no retry after a schema reload.
    const form = formParts(req);
    if (form) return this.records.createFromForm(collection, form, p);
    return this.records.withFreshSchema(() => this.records.create(collection, body, p));
  }

  @Patch('collections/:collection/records/:id')
  updateRecord(
    @Param('collection') collection: string,
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() p: Principal,
    @Req() req: MaybeMultipart,
  ) {
    const form = formParts(req);
    if (form) return this.records.updateFromForm(collection, id, form, p);
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
  @ApiTags('records')
  @ApiJsonBody(
    batchSchema,
    "Up to 100 record creates, upserts (PUT), updates and deletes (PocketBase's shape). With files: " +
      'multipart/form-data with this object as the @jsonPayload field and files as requests.<index>.<field>.',
  )
  @ApiAnswer(batchResultSchema)
  batch(@Body() body: unknown, @CurrentPrincipal() p: Principal, @Req() req: MaybeMultipart) {
    const form = formParts(req);
    if (form) return this.batches.runForm(form, p, req.ip);
    return this.batches.run(body, p, req.ip);
  }
}
