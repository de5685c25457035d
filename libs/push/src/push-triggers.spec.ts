import { describe, expect, it } from '@jest/globals';
import { renderTemplate } from './push-triggers.service.js';

describe('trigger templates', () => {
  const change = {
    action: 'update' as const,
    collectionName: 'orders',
    record: { id: 'r1', item: 'Teapot', qty: 2, tags: ['a'], none: null },
  };

  it('fill {{field}}, {{action}} and {{collection}}; absent values are empty', () => {
    expect(
      renderTemplate('{{collection}} {{ action }}: {{qty}}× {{item}} {{tags}}{{none}}{{missing}}', change),
    ).toBe('orders update: 2× Teapot ["a"]');
  });

  it('leave other braces alone', () => {
    expect(renderTemplate('{item} {{ 1bad }} {{item', change)).toBe('{item} {{ 1bad }} {{item');
  });
});
