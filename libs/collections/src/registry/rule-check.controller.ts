import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiJsonBody, AppError, RequireAdmin, validateBody } from '@plinth/core';
import {
  checkRule,
  draftToDef,
  RULE_OPERATIONS,
  type DraftCollection,
  type RuleOperation,
} from '../schema/check-rule.js';
import { CollectionsService } from './collections.service.js';

export const checkRuleBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['collection', 'rule'],
  properties: {
    collection: {
      description:
        'The collection the rule belongs to: its id or name, or the collection as the editor holds it before saving ({name, type, fields}).',
      oneOf: [
        { type: 'string', minLength: 1, maxLength: 100 },
        {
          type: 'object',
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            type: { type: 'string' },
            fields: { type: 'array', maxItems: 1000, items: { type: 'object' } },
          },
        },
      ],
    },
    rule: { type: 'string', maxLength: 20000, description: 'The rule expression to check.' },
    operation: {
      type: 'string',
      enum: [...RULE_OPERATIONS],
      description: 'Which rule it is (for warnings).',
    },
  },
};

export const checkRuleAnswerSchema = {
  type: 'object',
  required: ['ok', 'warnings'],
  properties: {
    ok: { type: 'boolean' },
    code: {
      type: 'string',
      description: 'When not ok: the filter error code (FILTER_SYNTAX, FILTER_UNKNOWN_FIELD, ...).',
    },
    message: { type: 'string', description: 'When not ok: what is wrong, for the user.' },
    position: {
      type: 'integer',
      description: 'When known: the 0-based index in the rule the problem is at.',
    },
    field: { type: 'string', description: 'When the problem is a field: its name as written.' },
    warnings: { type: 'array', items: { type: 'string' } },
  },
};

interface CheckRuleBody {
  collection: string | (DraftCollection & { id?: string });
  rule: string;
  operation?: RuleOperation;
}

/** The console's rules editor checks a rule as it is typed, before the collection is saved. */
@ApiTags('collections')
@Controller('api/collections/-')
@RequireAdmin()
export class RuleCheckController {
  constructor(private readonly collections: CollectionsService) {}

  @Post('check-rule')
  @HttpCode(200)
  @ApiJsonBody(checkRuleBodySchema)
  @ApiAnswer(checkRuleAnswerSchema)
  checkCollectionRule(@Body() body: unknown) {
    const input = validateBody<CheckRuleBody>(checkRuleBodySchema, body);
    const all = this.collections.list();
    const c = input.collection;
    const find = (key?: string) => (key ? all.find((x) => x.id === key || x.name === key) : undefined);
    let self;
    if (typeof c === 'string') {
      self = find(c);
      if (!self)
        throw new AppError(
          'COLLECTION_NOT_FOUND',
          `No collection is named "${c}". Check the name, or send the collection's fields.`,
        );
    } else {
      self = draftToDef(c, find(c.id) ?? find(c.name));
    }
    return checkRule(input.rule, self, all, input.operation);
  }
}
