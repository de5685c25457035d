import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiStringQuery, RequireAdmin } from '@plinth/core';
import { statsResponseSchema } from './stats.schemas.js';
import { StatsService } from './stats.service.js';

/** Usage statistics (admins): time series from the rollups that `stats.rollup` keeps. */
@ApiTags('stats')
@Controller('api/stats')
@RequireAdmin()
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @ApiStringQuery('from', 'Start, ISO 8601 or milliseconds (default: 24 hours before `to`).')
  @ApiStringQuery('to', 'End, exclusive (default: now).')
  @ApiStringQuery(
    'interval',
    '`minute`, `hour` or `day` (default by the range: minutes up to 6 hours, hours up to 14 days). At most 1500 buckets.',
  )
  @ApiAnswer(statsResponseSchema)
  getStats(@Query() query: Record<string, unknown>) {
    return this.stats.series(query);
  }
}
