import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { OpenApiService } from './openapi.service.js';

export const API_DESCRIPTION =
  'Plinth: collections with access rules, app-user auth and social sign-in, files, push and realtime. ' +
  'Every non-2xx answer is application/problem+json (RFC 9457). Records routes exist once per collection; ' +
  'the document changes as soon as a collection changes.';

/** Scans the controllers into the static document once, and serves Swagger UI at /docs on the live one. */
export function setupOpenApi(app: NestFastifyApplication, version: string): void {
  const config = new DocumentBuilder()
    .setTitle('Plinth API')
    .setDescription(API_DESCRIPTION)
    .setVersion(version)
    .setOpenAPIVersion('3.1.0')
    .build();
  const scanned = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controller: string, method: string) => method,
  });
  app.get(OpenApiService).setStaticDocument(scanned as never);
  SwaggerModule.setup('docs', app, scanned, {
    raw: false,
    customSiteTitle: 'Plinth API',
    swaggerOptions: { url: '/api/openapi.json', persistAuthorization: true, displayOperationId: true },
  });
}
