import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import {
  ApiAnswer,
  ApiJsonBody,
  ApiNoContent,
  AppError,
  CurrentPrincipal,
  RequireAdmin,
  validateBody,
  type Principal,
} from '@plinth/core';
import type { FastifyRequest } from 'fastify';
import { DeploysService, type ManifestBody } from './deploys.service.js';
import {
  deployListSchema,
  deploySchema,
  deployWithMissingSchema,
  manifestBodySchema,
  uploadAnswerSchema,
} from './hosting.schemas.js';

interface UploadPart {
  type: 'file' | 'field';
  fieldname: string;
  file?: NodeJS.ReadableStream & { resume(): void };
}
type MaybeMultipart = FastifyRequest & {
  isMultipart?: () => boolean;
  parts?: () => AsyncIterable<UploadPart>;
};

/**
 * Hosting (admins): deploys of the app's web front end. `npm run plinth -- deploy ./dist` drives these:
 * create with the manifest, upload the missing files, activate. Activating an earlier deploy rolls back.
 */
@ApiTags('hosting')
@Controller('api/hosting/deploys')
@RequireAdmin()
export class DeploysController {
  constructor(private readonly deploys: DeploysService) {}

  @Get()
  @ApiAnswer(deployListSchema)
  listDeploys() {
    return this.deploys.list();
  }

  /** A pending deploy with the first manifest entries (at most 5,000); the answer lists the files to upload. */
  @Post()
  @HttpCode(201)
  @ApiJsonBody(manifestBodySchema)
  @ApiAnswer(deployWithMissingSchema, 201, 'The pending deploy and the SHA-256s it still needs.')
  createDeploy(@CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    return this.deploys.create(principal, validateBody<ManifestBody>(manifestBodySchema, body));
  }

  @Get(':id')
  @ApiAnswer(deploySchema)
  getDeploy(@Param('id') id: string) {
    return this.deploys.get(id);
  }

  /** More manifest entries for a pending deploy (a large site sends its manifest in parts). */
  @Post(':id/files')
  @HttpCode(200)
  @ApiJsonBody(manifestBodySchema)
  @ApiAnswer(deployWithMissingSchema, 200, 'The pending deploy and the SHA-256s it still needs.')
  addDeployFiles(@Param('id') id: string, @Body() body: unknown) {
    return this.deploys.addFiles(id, validateBody<ManifestBody>(manifestBodySchema, body));
  }

  /** The missing files as multipart file parts, each named by its SHA-256 (at most 100 per request). */
  @Post(':id/blobs')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    required: true,
    description: "multipart/form-data: one file part per file, its part name the file's SHA-256.",
    schema: { type: 'object', additionalProperties: { type: 'string', format: 'binary' } },
  })
  @ApiAnswer(uploadAnswerSchema)
  uploadDeployBlobs(@Param('id') id: string, @Req() req: MaybeMultipart) {
    if (!req.isMultipart?.() || !req.parts) {
      throw new AppError(
        'MULTIPART_INVALID',
        'Send the files as multipart/form-data, one part per file named by its SHA-256.',
      );
    }
    return this.deploys.upload(id, req.parts());
  }

  /** Serves this deploy on every replica within a moment; an earlier deploy: a rollback. */
  @Post(':id/activate')
  @HttpCode(200)
  @ApiAnswer(deploySchema, 200, 'The deploy, now active.')
  activateDeploy(@Param('id') id: string) {
    return this.deploys.activate(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContent('The deploy is deleted with the files no other deploy uses.')
  deleteDeploy(@Param('id') id: string) {
    return this.deploys.remove(id);
  }
}
