import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiJsonBody, ApiNoContent, RequireAdmin, validateBody } from '@plinth/core';
import { ApiPageQuery } from '../signed-endpoints.js';
import { SchedulesService, type ScheduleBody } from './schedules.service.js';
import {
  createScheduleSchema,
  runNowResponseSchema,
  runsListResponseSchema,
  scheduleResponseSchema,
  schedulesListResponseSchema,
  updateScheduleSchema,
} from './schedules.schemas.js';

/** Schedules (admins): cron expressions that call a signed URL or run a built-in job, and their run log. */
@ApiTags('schedules')
@Controller('api/schedules')
@RequireAdmin()
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Get()
  @ApiAnswer(schedulesListResponseSchema)
  listSchedules() {
    return this.schedules.list();
  }

  /** The answer carries the signing secret of URL calls: the only time it is shown. */
  @Post()
  @HttpCode(200)
  @ApiJsonBody(createScheduleSchema)
  @ApiAnswer(scheduleResponseSchema, 200, 'The schedule, with its signing secret (shown this once).')
  createSchedule(@Body() body: unknown) {
    return this.schedules.create(validateBody<ScheduleBody>(createScheduleSchema, body));
  }

  @Get(':id')
  @ApiAnswer(scheduleResponseSchema)
  getSchedule(@Param('id') id: string) {
    return this.schedules.get(id);
  }

  @Patch(':id')
  @ApiJsonBody(updateScheduleSchema)
  @ApiAnswer(scheduleResponseSchema)
  updateSchedule(@Param('id') id: string, @Body() body: unknown) {
    return this.schedules.update(id, validateBody<ScheduleBody>(updateScheduleSchema, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContent('The schedule and its run log are deleted; it fires no more.')
  deleteSchedule(@Param('id') id: string) {
    return this.schedules.delete(id);
  }

  @Post(':id/run')
  @HttpCode(202)
  @ApiAnswer(runNowResponseSchema, 202, 'A run is queued now (even while the schedule is disabled).')
  runSchedule(@Param('id') id: string) {
    return this.schedules.runNow(id);
  }

  @Get(':id/runs')
  @ApiPageQuery()
  @ApiAnswer(runsListResponseSchema, 200, 'Newest first; the newest 500 runs are kept.')
  listScheduleRuns(@Param('id') id: string, @Query() query: Record<string, unknown>) {
    return this.schedules.runs(id, query);
  }
}
