import { Injectable } from '@nestjs/common';
import { AppError, type FieldProblem } from '@plinth/core';
import { CollectionsService } from './collections.service.js';
import { SchemaParts, type PartChange } from './schema-parts.js';

type Items = Array<Record<string, unknown>>;

/**
 * The schema file as a whole: collections, then the parts other libs keep (webhooks, schedules;
 * never their secrets). An import applies the collections first, so the parts' items are checked
 * against them, every item before any is written.
 */
@Injectable()
export class SchemaTransfer {
  constructor(
    private readonly collections: CollectionsService,
    private readonly parts: SchemaParts,
  ) {}

  async export(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = { collections: this.collections.list() };
    for (const part of this.parts.all()) out[part.key] = await part.export();
    return out;
  }

  async import(
    input: { collections: unknown[]; deleteMissing?: boolean } & Record<string, unknown>,
    dryRun: boolean,
  ): Promise<Record<string, unknown>> {
    this.parts.validate(input);
    const deleteMissing = input.deleteMissing === true;
    const given = this.parts.all().filter((p) => Array.isArray(input[p.key]));
    const result: Record<string, unknown> = await this.collections.import(
      { collections: input.collections, deleteMissing },
      dryRun,
    );
    if (dryRun) {
      for (const part of given) result[part.key] = await part.plan(input[part.key] as Items, deleteMissing);
      return result;
    }
    const problems: FieldProblem[] = [];
    for (const part of given) {
      for (const p of await part.check(input[part.key] as Items)) {
        problems.push({ ...p, path: `${part.key}.${p.index}${p.path ? `.${p.path}` : ''}` });
      }
    }
    if (problems.length) {
      throw new AppError(
        'VALIDATION_FAILED',
        `The collections were imported, but ${problems.length} webhook or schedule setting(s) are invalid and none of them were: ${problems
          .map((e) => `${e.path} ${e.message}`)
          .join('; ')}. Fix them and import again.`,
        { errors: problems },
      );
    }
    for (const part of given) {
      result[part.key] = (await part.apply(input[part.key] as Items, deleteMissing)) satisfies PartChange[];
    }
    return result;
  }
}
