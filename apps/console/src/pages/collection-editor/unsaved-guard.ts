import { useEffect, useRef } from 'react';

export const LEAVE_QUESTION = 'This collection has unsaved changes. Leave and lose them?';

/**
 * While `isDirty()` says so, leaving asks first: closing or reloading the tab (the browser's own
 * question) and following a console link (a confirm; the address goes back when the admin stays).
 */
export function useUnsavedGuard(isDirty: () => boolean): void {
  const dirty = useRef(isDirty);
  dirty.current = isDirty;
  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (dirty.current()) e.preventDefault();
    };
    // Capture on window runs before the router's own hashchange listener, so a refused leave is never seen.
    const onHashChange = (e: HashChangeEvent) => {
      if (!dirty.current() || window.confirm(LEAVE_QUESTION)) return;
      e.stopImmediatePropagation();
      history.replaceState(history.state, '', e.oldURL);
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    window.addEventListener('hashchange', onHashChange, true);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      window.removeEventListener('hashchange', onHashChange, true);
    };
  }, []);
}
