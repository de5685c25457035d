import { useEffect, useRef, type KeyboardEvent, type RefObject } from 'react';

const FIELD = 'input:not([type=hidden]), select, textarea';
const FOCUSABLE = `a[href], button, ${FIELD}, [tabindex]:not([tabindex="-1"])`;

/** What Tab can reach inside `root`, in document order. */
function focusables(root: HTMLElement, selector = FOCUSABLE): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(selector)].filter(
    (el) => !el.matches(':disabled') && el.tabIndex >= 0 && el.getClientRects().length > 0,
  );
}

/**
 * Focus of a modal dialog: shown, it focuses its first field (else its first button in the body or
 * footer, else Close); closed or unmounted, focus goes back to what opened it; Tab cycles inside it.
 */
export function useDialogFocus(ref: RefObject<HTMLDialogElement | null>, open: boolean) {
  const opener = useRef<HTMLElement | null>(null);
  const wasOpen = useRef(false);
  if (open && !wasOpen.current) {
    // Read while rendering: an autoFocus field in the dialog takes focus during the commit.
    const active = document.activeElement;
    opener.current =
      active instanceof HTMLElement && active !== document.body && !ref.current?.contains(active)
        ? active
        : null;
  }
  wasOpen.current = open;
  const giveBack = () => {
    const el = opener.current;
    if (!el) return;
    opener.current = null;
    // The opener may be gone (a row re-rendered, a tab switched): the page's content is the next best place.
    (el.isConnected ? el : document.getElementById('main'))?.focus();
  };

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      const body = [...d.querySelectorAll<HTMLElement>('.dialog-body, .dialog-foot')];
      const first =
        body.flatMap((part) => focusables(part, FIELD))[0] ??
        body.flatMap((part) => focusables(part))[0] ??
        focusables(d)[0];
      first?.focus();
    }
    if (!open && d.open) {
      d.close();
      giveBack();
    }
  }, [open, ref]);

  // A dialog unmounted while open (its page closed it by not rendering it) gives focus back too; the
  // element is still in the page when StrictMode only simulates an unmount.
  useEffect(() => {
    const d = ref.current;
    return () => {
      if (d && !d.isConnected) giveBack();
    };
  }, [ref]);

  return (e: KeyboardEvent<HTMLDialogElement>) => {
    if (e.key !== 'Tab' || !ref.current) return;
    const all = focusables(ref.current);
    if (!all.length) return;
    const first = all[0]!;
    const last = all[all.length - 1]!;
    const active = document.activeElement;
    if (e.shiftKey && (active === first || !ref.current.contains(active))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !ref.current.contains(active))) {
      e.preventDefault();
      first.focus();
    }
  };
}
