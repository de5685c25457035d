import { Injectable } from '@nestjs/common';
import { validateBody, type BodySchema, type FieldProblem } from '@plinth/core';

/** What an import does to one item of a part (a webhook, a schedule). */
export interface PartChange {
  id?: string;
  name: string;
  action: 'create' | 'update' | 'delete';
}

/**
 * A part of the schema file besides collections, kept by another lib (webhooks and schedules): what it
 * exports (never secrets), and how it imports a list of items matched to the existing ones.
 */
export interface SchemaPart {
  /** The key in the schema file (`webhooks`). */
  key: string;
  /** The JSON Schema of one item as imported (the export's items match it). */
  itemSchema: BodySchema;
  export(): Promise<Array<Record<string, unknown>>>;
  /** The changes an import makes; problems are paths inside one item, by its index. */
  plan(items: Array<Record<string, unknown>>, deleteMissing: boolean): Promise<PartChange[]>;
  /** Problems of the items against the schema as it is now (after the collections were imported). */
  check(items: Array<Record<string, unknown>>): Promise<Array<FieldProblem & { index: number }>>;
  apply(items: Array<Record<string, unknown>>, deleteMissing: boolean): Promise<PartChange[]>;
}

/** Where other libs plug their parts of the schema file in (WebhooksModule at boot). */
@Injectable()
export class SchemaParts {
  private readonly parts = new Map<string, { part: SchemaPart; listSchema: BodySchema }>();

  use(part: SchemaPart): void {
    const listSchema: BodySchema = {
      type: 'object',
      properties: { [part.key]: { type: 'array', maxItems: 500, items: part.itemSchema } },
    };
    this.parts.set(part.key, { part, listSchema });
  }

  all(): SchemaPart[] {
    return [...this.parts.values()].map((p) => p.part);
  }

  /** Checks the shape of every part's items in `body` (400 with paths like `webhooks.2.url`). */
  validate(body: Record<string, unknown>): void {
    for (const { part, listSchema } of this.parts.values()) {
      if (body[part.key] !== undefined) validateBody(listSchema, { [part.key]: body[part.key] });
    }
  }
}
