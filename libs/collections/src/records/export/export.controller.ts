import { Controller, Get, Param, Query, Res, UseInterceptors } from '@nestjs/common';
import { ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiStringQuery, CurrentPrincipal, type Principal } from '@plinth/core';
import type { FastifyReply } from 'fastify';
import { RecordsService } from '../records.service.js';
import { RequestInfoInterceptor } from '../request-info.js';
import { EXPORT_FORMATS, RecordExporter } from './record-exporter.js';

/** `GET /api/collections/{collection}/records/export`: every record the list would give, as a file. */
@ApiTags('records')
@Controller('api')
@UseInterceptors(RequestInfoInterceptor)
export class ExportController {
  constructor(
    private readonly records: RecordsService,
    private readonly exporter: RecordExporter,
  ) {}

  @Get('collections/:collection/records/export')
  @ApiProduces(
    'text/csv',
    'application/json',
    'application/x-ndjson',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  )
  @ApiQuery({
    name: 'format',
    required: false,
    description: 'csv (the default), json (one array), ndjson (one record per line) or xlsx (Excel).',
    schema: { type: 'string', enum: [...EXPORT_FORMATS] },
  })
  @ApiStringQuery('filter', "Only records that match, as the list's filter.")
  @ApiStringQuery('sort', "The order, as the list's sort (default -created).")
  @ApiStringQuery('fields', 'Comma-separated fields to keep; in CSV, the columns, in this order.')
  @ApiStringQuery('expand', 'Relations to expand, as for the list (a JSON `expand` column in CSV).')
  @ApiResponse({
    status: 200,
    description:
      'Every record the list rule lets the caller see, without the fields hidden from them, streamed as ' +
      'an attachment named <collection>-<yyyy-mm-dd>.<format>. Relations are ids, dates ISO 8601; in CSV, ' +
      "lists and objects are JSON, empty values are empty, and text starting with = + - @ is prefixed with ' " +
      '(CSV injection).',
    content: {
      'text/csv': { schema: { type: 'string' } },
      'application/json': { schema: { type: 'array', items: { type: 'object' } } },
      'application/x-ndjson': { schema: { type: 'string' } },
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
        schema: { type: 'string', format: 'binary' },
      },
    },
  })
  async exportRecords(
    @Param('collection') collection: string,
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() p: Principal,
    @Res() reply: FastifyReply,
  ) {
    const file = await this.records.withFreshSchema(() => this.exporter.open(collection, query, p));
    return reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(file.body);
  }
}
