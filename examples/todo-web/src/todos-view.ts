import type { TodosRecord } from '@plinth/sdk/schema';
import { describeError, h } from './dom.js';
import { client } from './plinth.js';

const todos = client.collection('todos');

/** File tokens last 120 s; fetch a new one for thumbnails after 90 s. */
const TOKEN_REUSE_MS = 90_000;

/**
 * The signed-in user's todos: add (with an optional image), toggle, delete; every change made in another
 * tab or device arrives through realtime. Answers the element and a function that stops the subscription.
 */
export async function todosView(userId: string): Promise<{ el: HTMLElement; stop: () => Promise<void> }> {
  const items = new Map<string, TodosRecord>();
  let fileToken: { value: Promise<string>; at: number } | null = null;
  const list = h('ul', { class: 'todos', 'aria-label': 'Your todos' });
  const empty = h('p', { class: 'empty' }, 'Nothing to do yet: add a todo above.');
  const error = h('p', { class: 'error', role: 'alert' });

  // One token request at a time, shared by every render that needs it.
  const token = () => {
    if (!fileToken || Date.now() - fileToken.at > TOKEN_REUSE_MS) {
      const value = client.files.getToken().catch(() => {
        fileToken = null;
        return '';
      });
      fileToken = { value, at: Date.now() };
    }
    return fileToken.value;
  };

  const row = (todo: TodosRecord, fileTokenValue: string) => {
    const thumb = todo.attachment
      ? h(
          'a',
          {
            href: client.files.url(todo, 'attachment', { token: fileTokenValue }),
            target: '_blank',
            rel: 'noopener',
          },
          h('img', {
            class: 'thumb',
            src: client.files.url(todo, 'attachment', { thumb: '100x100', token: fileTokenValue }),
            alt: `Attachment of “${todo.title}”`,
            width: 50,
            height: 50,
          }),
        )
      : null;
    const box = h('input', {
      type: 'checkbox',
      checked: todo.done,
      'aria-label': `Done: ${todo.title}`,
      'data-key': `done:${todo.id}`,
      onchange: () => void run(() => todos.update(todo.id, { done: box.checked }).then(upsert)),
    });
    return h(
      'li',
      { class: todo.done ? 'todo done' : 'todo', 'data-id': todo.id },
      box,
      h('span', { class: 'title' }, todo.title),
      thumb,
      h(
        'button',
        {
          type: 'button',
          class: 'delete',
          'aria-label': `Delete “${todo.title}”`,
          'data-key': `delete:${todo.id}`,
          onclick: () => void run(() => todos.delete(todo.id).then(() => remove(todo.id))),
        },
        '×',
      ),
    );
  };

  const render = async () => {
    const tokenValue = [...items.values()].some((t) => t.attachment) ? await token() : '';
    // Read after the wait, so the render that finishes last shows the latest todos.
    const sorted = [...items.values()].sort((a, b) =>
      a.created < b.created ? -1 : a.created > b.created ? 1 : 0,
    );
    // Rows are rebuilt: keep the keyboard focus on the control it was on.
    const focused = (document.activeElement as HTMLElement | null)?.dataset.key;
    list.replaceChildren(...sorted.map((t) => row(t, tokenValue)));
    if (focused) list.querySelector<HTMLElement>(`[data-key="${CSS.escape(focused)}"]`)?.focus();
    empty.hidden = items.size > 0;
  };
  const upsert = (todo: TodosRecord) => {
    items.set(todo.id, todo);
    void render();
  };
  const remove = (id: string) => {
    items.delete(id);
    void render();
  };
  const run = async (action: () => Promise<unknown>) => {
    error.textContent = '';
    try {
      await action();
    } catch (err) {
      error.textContent = describeError(err);
    }
  };

  const title = h('input', {
    id: 'title',
    name: 'title',
    required: true,
    maxLength: 200,
    autocomplete: 'off',
  });
  const file = h('input', { id: 'attachment', name: 'attachment', type: 'file', accept: 'image/*' });
  const add = h(
    'form',
    {
      class: 'add',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const attachment = file.files?.[0];
        void run(async () => {
          const created = await todos.create({
            title: title.value,
            done: false,
            owner: userId,
            ...(attachment ? { attachment } : {}),
          });
          add.reset();
          upsert(created);
        });
      },
    },
    h('label', { for: 'title' }, 'New todo'),
    title,
    h('label', { for: 'attachment' }, 'Image (optional)'),
    file,
    h('button', { type: 'submit' }, 'Add'),
  );

  // Subscribe before the first load, so no change between the two is missed; events repeat what this
  // tab did itself, which upsert and remove take in their stride.
  const unsubscribe = await todos.subscribe('*', (e) =>
    e.action === 'delete' ? remove(e.record.id) : upsert(e.record),
  );
  for (const todo of await todos.getFullList({ sort: 'created' })) items.set(todo.id, todo);
  await render();
  return { el: h('section', { class: 'card' }, add, error, list, empty), stop: unsubscribe };
}
