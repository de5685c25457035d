import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { BodySchema } from '../validation/validate-body.js';

/**
 * OpenAPI descriptions for routes whose bodies are checked by `validateBody`: the same JSON Schema
 * objects document the route, so the document cannot drift from what the server accepts.
 */
export const ApiJsonBody = (schema: BodySchema, description?: string) =>
  ApiBody({ schema: schema as never, required: true, description });

/** The answer of a route: its status and the JSON Schema of its body. */
export const ApiAnswer = (schema: BodySchema, status = 200, description = 'OK') =>
  ApiResponse({ status, description, schema: schema as never });

/** An answer without a body (204). */
export const ApiNoContent = (description = 'Done; no content.') => ApiResponse({ status: 204, description });

/** A query parameter given as a string. */
export const ApiStringQuery = (name: string, description: string, required = false) =>
  ApiQuery({ name, required, description, schema: { type: 'string' } });

export { ApiExtraModels, applyDecorators };
