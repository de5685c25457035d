import { createClient, LocalAuthStore } from '@plinth/sdk';

/** The Plinth server; set VITE_PLINTH_URL when building for another one. */
export const PLINTH_URL: string = import.meta.env.VITE_PLINTH_URL || 'http://localhost:8090';

/**
 * The client, typed for this server's collections by the package `npm install` fetched from it.
 * LocalAuthStore keeps the session across reloads and follows sign-ins and sign-outs of other tabs.
 */
export const client = createClient({ url: PLINTH_URL, authStore: new LocalAuthStore('todo-web-auth') });
