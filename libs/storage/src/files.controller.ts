import { Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiStringQuery, CurrentPrincipal, type Principal, RequireAdmin } from '@plinth/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FileTokensService } from './file-tokens.service.js';
import { FilesService } from './files.service.js';
import { StorageService } from './storage.service.js';

export const fileTokenResponseSchema = {
  type: 'object',
  required: ['token'],
  properties: { token: { type: 'string', description: 'Valid 120 s; add it to file URLs as ?token=.' } },
} as const;

export const storageTestResponseSchema = {
  type: 'object',
  required: ['ok', 'driver'],
  properties: { ok: { const: true }, driver: { enum: ['local', 's3'] } },
} as const;

/** File downloads and file tokens (DESIGN §4, §10). Uploads go through the records routes. */
@ApiTags('files')
@Controller('api/files')
export class FilesController {
  constructor(
    private readonly files: FilesService,
    private readonly tokens: FileTokensService,
  ) {}

  @Post('token')
  @HttpCode(200)
  @ApiAnswer(fileTokenResponseSchema as never, 200, 'A file token for the signed-in user or admin.')
  async createFileToken(
    @CurrentPrincipal() principal: Principal,
    @Headers('authorization') authorization: string | undefined,
  ) {
    return { token: await this.tokens.issue(principal, authorization) };
  }

  @Get(':collection/:recordId/:filename')
  @ApiStringQuery('thumb', "A thumbnail size from the field's thumbs (WxH, WxHt, WxHb, WxHf, 0xH, Wx0).")
  @ApiStringQuery('token', 'A file token (POST /api/files/token); required for protected fields.')
  @ApiResponse({
    status: 200,
    description: 'The file (Range requests answer 206; If-None-Match 304).',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiResponse({
    status: 206,
    description: 'One byte range of the file (Range: bytes=a-b), with Content-Range.',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiResponse({ status: 304, description: 'Not modified (If-None-Match matched the ETag).' })
  async downloadFile(
    @Param('collection') collection: string,
    @Param('recordId') recordId: string,
    @Param('filename') filename: string,
    @Query() query: Record<string, unknown>,
    @Headers('range') range: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const answer = await this.files.open(
      {
        collection,
        recordId,
        filename,
        thumb: typeof query.thumb === 'string' ? query.thumb : undefined,
        token: typeof query.token === 'string' ? query.token : undefined,
        range,
        ifNoneMatch,
        headOnly: request.method === 'HEAD',
      },
      principal,
    );
    reply.status(answer.status).headers(answer.headers);
    return reply.send(answer.body);
  }
}

/** "Test connection" for the storage settings. */
@ApiTags('settings')
@Controller('api/settings/storage')
@RequireAdmin()
export class StorageSettingsController {
  constructor(private readonly storage: StorageService) {}

  /** Writes, reads back and deletes a probe object with the saved settings. */
  @Post('test')
  @HttpCode(200)
  @ApiAnswer(
    storageTestResponseSchema as never,
    200,
    'The storage answered; problem 502 STORAGE_TEST_FAILED otherwise.',
  )
  testStorage() {
    return this.storage.test();
  }
}
