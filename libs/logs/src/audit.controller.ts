import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { clientGone } from '@plinth/collections';
import { ApiAnswer, ApiStringQuery, RequireAdmin } from '@plinth/core';
import type { FastifyReply } from 'fastify';
import { AUDIT_FILTER_FIELDS } from './audit-filter.js';
import { auditEntrySchema, auditListResponseSchema } from './audit.schemas.js';
import { AuditService } from './audit.service.js';

/** The audit trail (admins, read-only): who changed what, when, from where, newest first. */
@ApiTags('audit')
@Controller('api/audit')
@RequireAdmin()
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiStringQuery(
    'filter',
    `Record filter grammar over ${AUDIT_FILTER_FIELDS.join(', ')}; e.g. \`action ~ "collection." && actorName = "ops@example.com"\`.`,
  )
  @ApiStringQuery('sort', 'Fields as for records, e.g. `action,-created` (default `-created`).')
  @ApiStringQuery('page', 'Page number (default 1).')
  @ApiStringQuery('perPage', 'Items per page (default 30, at most 500).')
  @ApiAnswer(auditListResponseSchema)
  listAuditEntries(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.audit.list(query, clientGone(reply));
  }

  @Get(':id')
  @ApiAnswer(auditEntrySchema)
  getAuditEntry(@Param('id') id: string) {
    return this.audit.get(id);
  }
}
