/** JSON Schemas of the hosting routes' bodies and answers (reused by the OpenAPI document). */
import { MAX_FILES_PER_REQUEST, MAX_SITE_FILE_SIZE } from './deploys.service.js';

const manifestEntry = {
  type: 'object',
  additionalProperties: false,
  required: ['path', 'sha256', 'size'],
  properties: {
    path: {
      type: 'string',
      maxLength: 4096,
      description:
        'Relative to the deploy root, "/" between folders (`index.html`, `assets/app-3f2a9c1b.js`).',
    },
    sha256: {
      type: 'string',
      pattern: '^[0-9a-f]{64}$',
      description: 'Lower-case hex SHA-256 of the bytes.',
    },
    size: { type: 'integer', minimum: 0, maximum: MAX_SITE_FILE_SIZE },
  },
};

export const manifestBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    files: { type: 'array', maxItems: MAX_FILES_PER_REQUEST + 1, items: manifestEntry },
    message: { type: 'string', maxLength: 500, description: 'A note shown in the deploy list.' },
  },
} as const;

const deployProperties = {
  id: { type: 'string', format: 'uuid' },
  status: { type: 'string', enum: ['pending', 'ready'], description: 'pending until activated once.' },
  active: { type: 'boolean', description: 'Whether this deploy is the one served.' },
  fileCount: { type: 'integer' },
  size: { type: 'integer', description: 'Bytes of all its files.' },
  createdBy: { type: 'string', description: 'The admin email or API key name that created it.' },
  message: { type: 'string' },
  created: { type: 'string', format: 'date-time' },
  activated: { type: ['string', 'null'], format: 'date-time' },
};
const deployRequired = Object.keys(deployProperties);

export const deploySchema = {
  type: 'object',
  additionalProperties: false,
  required: deployRequired,
  properties: deployProperties,
} as const;

export const deployWithMissingSchema = {
  type: 'object',
  additionalProperties: false,
  required: [...deployRequired, 'missing'],
  properties: {
    ...deployProperties,
    missing: {
      type: 'array',
      items: { type: 'string' },
      description: 'SHA-256s of the files the server does not have yet: upload these, then activate.',
    },
  },
} as const;

export const deployListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'publicDir'],
  properties: {
    items: { type: 'array', items: deploySchema, description: 'Newest first.' },
    publicDir: {
      type: 'boolean',
      description: 'true when PLINTH_PUBLIC_DIR is set: that folder is served and deploys are not.',
    },
  },
} as const;

export const uploadAnswerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['stored', 'missing'],
  properties: {
    stored: {
      type: 'array',
      items: { type: 'string' },
      description: 'SHA-256s this request stored (or found stored).',
    },
    missing: { type: 'array', items: { type: 'string' }, description: 'SHA-256s still to upload.' },
  },
} as const;
