import { useState, type ReactNode } from 'react';
import { href } from '../router';
import { SkipLink } from './skip-link';

const NAV = [
  { path: '/dashboard', label: 'Dashboard' },
  { path: '/collections', label: 'Collections' },
  { path: '/connect', label: 'Connect your app' },
  { path: '/push', label: 'Push' },
  { path: '/keys', label: 'API keys' },
  { path: '/webhooks', label: 'Webhooks' },
  { path: '/hooks', label: 'Hooks' },
  { path: '/schedules', label: 'Schedules' },
  { path: '/hosting', label: 'Hosting' },
  { path: '/logs', label: 'Logs' },
  { path: '/audit', label: 'Audit' },
  { path: '/backups', label: 'Backups' },
  { path: '/settings', label: 'Settings' },
  { path: '/admins', label: 'Admins' },
];

/** Sidebar with the areas and the signed-in admin; on phones it folds into a menu button. */
export function Layout(props: { active: string; email: string; onSignOut: () => void; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <div className={open ? 'shell nav-open' : 'shell'}>
      <SkipLink />
      <header className="topbar">
        <button
          type="button"
          className="icon-btn menu-btn"
          aria-label="Menu"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          ☰
        </button>
        <span className="brand">Plinth</span>
      </header>
      <nav className="sidebar" aria-label="Main" onClick={() => setOpen(false)}>
        <a className="brand brand-side" href={href('/collections')}>
          Plinth <span className="brand-sub">console</span>
        </a>
        <ul>
          {NAV.map((n) => (
            <li key={n.path}>
              <a
                href={href(n.path)}
                className={props.active === n.path ? 'nav-link active' : 'nav-link'}
                aria-current={props.active === n.path ? 'page' : undefined}
              >
                {n.label}
              </a>
            </li>
          ))}
        </ul>
        <div className="sidebar-foot">
          <span className="muted small" title={props.email}>
            {props.email}
          </span>
          <button type="button" className="btn btn-ghost btn-small" onClick={props.onSignOut}>
            Sign out
          </button>
        </div>
      </nav>
      <main className="content" id="main" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}
