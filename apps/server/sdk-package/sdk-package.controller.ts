import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { isApiKey, PrincipalResolver } from '@plinth/auth';
import { ApiStringQuery, AppError, CurrentPrincipal, isAdminLike, type Principal } from '@plinth/core';
import type { FastifyReply } from 'fastify';
import { SdkPackageService } from './sdk-package.service.js';

/** `If-None-Match` may list several tags, or `*`. */
const matches = (ifNoneMatch: string | undefined, etag: string) =>
  !!ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*');

/** The typed SDK as an npm package: `npm install "https://<server>/api/sdk.tgz"`. */
@ApiTags('docs')
@Controller('api')
export class SdkPackageController {
  constructor(
    private readonly sdk: SdkPackageService,
    private readonly resolver: PrincipalResolver,
  ) {}

  @Get('sdk.tgz')
  @ApiProduces('application/gzip')
  @ApiStringQuery(
    'key',
    'An API key (plk_...) when the Authorization header cannot be sent; an admin-scoped key gives every ' +
      'collection. It ends up in package-lock.json: prefer a bearer token in .npmrc.',
  )
  @ApiResponse({
    status: 200,
    description:
      "@plinth/sdk (the server's version) whose createClient() is typed for the collections the caller " +
      'may see: every one with an admin token or admin-scoped key, what the rules expose otherwise. ' +
      'The same schema gives the same bytes (ETag; If-None-Match answers 304).',
    content: { 'application/gzip': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiResponse({ status: 304, description: 'Not modified (If-None-Match matched the ETag).' })
  async getSdkPackage(
    @CurrentPrincipal() principal: Principal,
    @Query('key') key: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    let caller = principal;
    if (key !== undefined && !authorization) {
      if (!isApiKey(key)) {
        throw new AppError(
          'INVALID_TOKEN',
          '`key` takes an API key (plk_...). Create one with POST /api/keys.',
        );
      }
      caller = await this.resolver.resolve(`Bearer ${key}`);
    }
    const pkg = await this.sdk.tarball({ admin: isAdminLike(caller) });
    // The view depends on the credentials, so shared caches must not mix them; npm revalidates each time.
    reply
      .header('etag', pkg.etag)
      .header('cache-control', 'private, no-cache')
      .header('vary', 'authorization');
    if (matches(ifNoneMatch, pkg.etag)) return reply.status(304).send();
    return reply
      .status(200)
      .header('content-type', 'application/gzip')
      .header('content-disposition', 'attachment; filename="plinth-sdk.tgz"')
      .send(pkg.tgz);
  }
}
