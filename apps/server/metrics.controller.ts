import { Controller, Get, Header } from '@nestjs/common';
import { Metrics } from '@plinth/core';
import { ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';

/** Prometheus scrape endpoint, outside /api like most exporters. */
@ApiTags('health')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get('metrics')
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'Prometheus text format.',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async getMetrics(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
