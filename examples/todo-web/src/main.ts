import { describeError, h } from './dom.js';
import { authView } from './auth-view.js';
import { client } from './plinth.js';
import { todosView } from './todos-view.js';

const app = document.getElementById('app')!;
let shown: { userId: string; stop: () => Promise<void> } | null = null;

/** Shows the sign-in form or the signed-in user's todos; runs on load and on every auth change (any tab). */
async function show() {
  const store = client.authStore;
  // An expired access token with a refresh token is still a session: the client refreshes it on the next call.
  const record = store.isValid || store.refreshToken ? store.record : null;
  const userId = record?.id ?? '';
  if (shown?.userId === userId && app.childElementCount) return; // a token refresh: same user, same view
  const previous = shown;
  shown = { userId, stop: async () => undefined };
  await previous?.stop();
  if (!record) {
    app.replaceChildren(authView());
    return;
  }
  const header = h(
    'header',
    {},
    h('h1', {}, 'Todos'),
    h('span', { class: 'who' }, `Signed in as ${String(record.email ?? '')}`),
    h(
      'button',
      { type: 'button', class: 'secondary', onclick: () => void client.collection('users').logout() },
      'Sign out',
    ),
  );
  try {
    const view = await todosView(userId);
    if (shown.userId !== userId) return void view.stop(); // the user changed while the list loaded
    shown.stop = view.stop;
    app.replaceChildren(header, view.el);
  } catch (err) {
    if (shown.userId !== userId) return;
    const retry = h('button', { type: 'button', onclick: () => location.reload() }, 'Try again');
    app.replaceChildren(
      header,
      h('p', { class: 'error', role: 'alert' }, `Could not load your todos: ${describeError(err)}`),
      retry,
    );
  }
}

client.authStore.onChange(() => void show());
void show();
