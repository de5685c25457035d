import type { MouseEvent } from 'react';

/**
 * The first stop of Tab: moves focus past the navigation to the page's content. Routes live in the
 * URL fragment, so the link focuses `#main` itself instead of changing the hash.
 */
export function SkipLink() {
  const skip = (e: MouseEvent<HTMLAnchorElement>) => {
    e.preventDefault();
    const main = document.getElementById('main');
    main?.focus();
    main?.scrollIntoView();
  };
  return (
    <a className="skip-link" href="#main" onClick={skip}>
      Skip to content
    </a>
  );
}
