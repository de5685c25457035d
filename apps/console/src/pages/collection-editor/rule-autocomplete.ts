import { useState, type KeyboardEvent, type RefObject } from 'react';
import type { CollectionModel } from '@plinth/sdk';
import { suggest, wordBefore, type Suggestion } from './rule-language';

interface Open {
  items: Suggestion[];
  active: number;
  start: number;
}

/**
 * Suggestions for the word before the caret of a rule textarea; arrows move, Enter or Tab takes one,
 * Escape closes, Ctrl+Space opens.
 */
export function useRuleAutocomplete(
  ref: RefObject<HTMLTextAreaElement | null>,
  self: CollectionModel,
  all: CollectionModel[],
  setText: (text: string, caret: number) => void,
) {
  const [open, setOpen] = useState<Open | null>(null);

  const refresh = (text: string, caret: number, force = false) => {
    const { word, start } = wordBefore(text, caret);
    if (!word && !force) return setOpen(null);
    const items = suggest(word, self, all).slice(0, 12);
    setOpen(items.length ? { items, active: 0, start } : null);
  };

  const accept = (s: Suggestion) => {
    const el = ref.current;
    if (!el || !open) return;
    const caret = el.selectionStart;
    const text = el.value.slice(0, open.start) + s.insert + el.value.slice(caret);
    const at = open.start + s.insert.length;
    setText(text, at);
    // A path that goes on (`author.`, `@request.auth.`) offers what may follow.
    if (s.insert.endsWith('.')) refresh(text, at);
    else setOpen(null);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if ((e.ctrlKey || e.metaKey) && e.key === ' ') {
      e.preventDefault();
      refresh(e.currentTarget.value, e.currentTarget.selectionStart, true);
      return;
    }
    if (!open) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const by = e.key === 'ArrowDown' ? 1 : -1;
      setOpen({ ...open, active: (open.active + by + open.items.length) % open.items.length });
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      accept(open.items[open.active]);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setOpen(null);
    }
  };

  return { open, refresh, accept, onKeyDown, close: () => setOpen(null) };
}
