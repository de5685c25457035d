import { Body, Controller, Get, Inject, Patch } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequireAdmin } from '../auth/route-access.js';
import { ApiAnswer, ApiJsonBody } from '../openapi/api-doc.js';
import { AppError } from '../errors/app-error.js';
import { PLINTH_CONFIG } from '../core.tokens.js';
import type { ResolvedConfig } from '../runtime/runtime.js';
import { settingsStatusSchema } from './settings-status.schema.js';
import { SettingsService } from './settings.service.js';

/** Admin settings: one object per section (`storage`, `push`, ...); secrets are write-only. */
const settingsSchema = {
  type: 'object',
  description:
    'One object per settings section (storage, push, ...); secrets are answered as "" and kept when sent as "".',
  additionalProperties: { type: 'object', additionalProperties: true },
};

@ApiTags('settings')
@Controller('api/settings')
@RequireAdmin()
export class SettingsController {
  constructor(
    private readonly settings: SettingsService,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /** What GET /api/settings cannot say: which secrets are stored (never their values) and the app's identity. */
  @Get('status')
  @ApiAnswer(settingsStatusSchema)
  async getSettingsStatus() {
    const { http, mail } = this.config;
    return {
      app: {
        name: { value: mail.appName, variable: 'PLINTH_APP_NAME', fromEnvironment: mail.appNameExplicit },
        publicUrl: { value: http.publicUrl, variable: 'PUBLIC_URL', fromEnvironment: http.publicUrlExplicit },
        appUrl: {
          value: mail.appUrl ?? '',
          variable: 'PLINTH_APP_URL',
          fromEnvironment: mail.appUrl !== undefined,
        },
      },
      secrets: await this.settings.secretsStatus(),
    };
  }

  @Get()
  @ApiAnswer(settingsSchema)
  getSettings() {
    return this.settings.viewAll();
  }

  /** Partial: `{ storage: { driver: 's3', ... } }` changes only the keys given; a secret sent as "" is kept. */
  @Patch()
  @ApiJsonBody(settingsSchema)
  @ApiAnswer(settingsSchema)
  async updateSettings(@Body() body: unknown) {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new AppError('VALIDATION_FAILED', 'The body must be an object of settings sections.', {
        errors: [{ path: '(body)', code: 'INVALID_TYPE', message: 'must be object' }],
      });
    }
    const known = new Set(this.settings.publicSections().map((s) => s.key));
    const unknown = Object.keys(body).filter((k) => !known.has(k));
    if (unknown.length) {
      throw new AppError('VALIDATION_FAILED', `Unknown settings section: ${unknown.join(', ')}.`, {
        errors: unknown.map((k) => ({
          path: k,
          code: 'UNKNOWN_FIELD',
          message: 'is not a settings section',
        })),
      });
    }
    for (const [key, value] of Object.entries(body)) {
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        throw new AppError('VALIDATION_FAILED', `Settings section "${key}" must be an object.`, {
          errors: [{ path: key, code: 'INVALID_TYPE', message: 'must be object' }],
        });
      }
    }
    await this.settings.patchMany(body as Record<string, Record<string, unknown>>);
    return this.settings.viewAll();
  }
}
