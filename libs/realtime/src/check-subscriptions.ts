import { AppError, type FieldProblem, type Principal } from '@plinth/core';
import type { RecordsService } from '@plinth/collections';
import { parseTopic, TopicError, type Topic } from './topics.js';

/**
 * Checks the topics of `POST /api/realtime` before anything is stored: how many, their syntax, and
 * their filter and expand options for this caller (a bad filter is a 400 rather than silence).
 */
export async function checkSubscriptions(
  records: RecordsService,
  unique: string[],
  principal: Principal,
  max: number,
  /** Whether `id` can be a record id of `collection` (UUID or text, as the collection has them). */
  isRecordId: (collection: string, id: string) => boolean,
): Promise<Topic[]> {
  if (unique.length > max) {
    throw new AppError(
      'REALTIME_TOO_MANY_SUBSCRIPTIONS',
      `A connection may hold at most ${max} subscriptions (got ${unique.length}). ` +
        'Subscribe to the collection with a filter instead of many single records.',
      { errors: [{ path: 'subscriptions', code: 'TOO_MANY_ITEMS', message: 'has too many topics' }] },
    );
  }
  const problems: FieldProblem[] = [];
  const topics: Topic[] = [];
  unique.forEach((raw, i) => {
    try {
      topics.push(parseTopic(raw, isRecordId));
    } catch (err) {
      if (!(err instanceof TopicError)) throw err;
      problems.push({ path: `subscriptions.${i}`, code: 'INVALID_TOPIC', message: err.message });
    }
  });
  if (problems.length) {
    throw new AppError(
      'REALTIME_TOPIC_INVALID',
      `Some topics are invalid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}.`,
      { errors: problems },
    );
  }
  for (const [i, topic] of topics.entries()) {
    if (!topic.filter && !topic.expand) continue;
    try {
      await records.viewSnapshot(
        topic.collection,
        topic.recordId ? 'view' : 'list',
        { filter: topic.filter, expand: topic.expand },
        principal,
      );
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      const message = err.detail.replace(/^(filter|expand): /, '');
      throw new AppError(err.code, `subscriptions.${i}: ${message}`, {
        errors: [{ path: `subscriptions.${i}`, code: err.code, message }],
      });
    }
  }
  return topics;
}
