import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { clientGone } from '@plinth/collections';
import { ApiAnswer, ApiStringQuery, RequireAdmin } from '@plinth/core';
import type { FastifyReply } from 'fastify';
import { LOG_FILTER_FIELDS } from './log-filter.js';
import { logEntrySchema, logListResponseSchema } from './logs.schemas.js';
import { LogsService } from './logs.service.js';

/** Request logs (admins): every API request of every replica, newest first. */
@ApiTags('logs')
@Controller('api/logs')
@RequireAdmin()
export class LogsController {
  constructor(private readonly logs: LogsService) {}

  @Get()
  @ApiStringQuery(
    'filter',
    `Record filter grammar over ${LOG_FILTER_FIELDS.join(', ')}; e.g. \`status >= 400 && url ~ "/api/collections"\`.`,
  )
  @ApiStringQuery('sort', 'Fields as for records, e.g. `-duration,created` (default `-created`).')
  @ApiStringQuery('page', 'Page number (default 1).')
  @ApiStringQuery('perPage', 'Items per page (default 30, at most 500).')
  @ApiAnswer(logListResponseSchema)
  listLogs(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.logs.list(query, clientGone(reply));
  }

  @Get(':id')
  @ApiAnswer(logEntrySchema)
  getLog(@Param('id') id: string) {
    return this.logs.get(id);
  }
}
