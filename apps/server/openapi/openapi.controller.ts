import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiStringQuery, CurrentPrincipal, isAdminLike, type Principal } from '@plinth/core';
import { OpenApiService } from './openapi.service.js';

const viewerOf = (principal: Principal, collections?: string) => ({
  admin: isAdminLike(principal),
  collections: collections !== 'none',
});

/** The live OpenAPI documents: admins see every collection, anyone else what the rules expose. */
@ApiTags('docs')
@Controller('api')
export class OpenApiController {
  constructor(private readonly openapi: OpenApiService) {}

  @Get('openapi.json')
  @ApiProduces('application/json')
  @ApiResponse({
    status: 200,
    description:
      'This document (OpenAPI 3.1): every collection for admins, what the rules expose for anyone else.',
    content: { 'application/json': { schema: { type: 'object' } } },
  })
  @Header('content-type', 'application/json; charset=utf-8')
  @Header('cache-control', 'no-cache')
  @ApiStringQuery(
    'collections',
    '"none": only the static API, without any collection (what sdk/openapi.json holds).',
  )
  getOpenApiDocument(
    @CurrentPrincipal() principal: Principal,
    @Query('collections') collections?: string,
  ): string {
    return this.openapi.json(viewerOf(principal, collections));
  }

  @Get('openapi.yaml')
  @ApiProduces('application/yaml')
  @ApiResponse({
    status: 200,
    description: 'The same document as /api/openapi.json, in YAML.',
    content: { 'application/yaml': { schema: { type: 'string' } } },
  })
  @Header('content-type', 'application/yaml; charset=utf-8')
  @Header('cache-control', 'no-cache')
  @ApiStringQuery('collections', '"none": only the static API, without any collection.')
  getOpenApiYaml(
    @CurrentPrincipal() principal: Principal,
    @Query('collections') collections?: string,
  ): string {
    return this.openapi.yaml(viewerOf(principal, collections));
  }

  @Get('openapi-3.0.json')
  @ApiProduces('application/json')
  @ApiResponse({
    status: 200,
    description: 'The same document as OpenAPI 3.0.3.',
    content: { 'application/json': { schema: { type: 'object' } } },
  })
  @Header('content-type', 'application/json; charset=utf-8')
  @Header('cache-control', 'no-cache')
  @ApiStringQuery('collections', '"none": only the static API, without any collection.')
  getOpenApi30Document(
    @CurrentPrincipal() principal: Principal,
    @Query('collections') collections?: string,
  ): string {
    return this.openapi.json30(viewerOf(principal, collections));
  }
}
