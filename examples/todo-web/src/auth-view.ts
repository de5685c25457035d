import { describeError, h } from './dom.js';
import { client } from './plinth.js';

/** Sign in, or sign up and then sign in, with email and password (the default `users` collection). */
export function authView(): HTMLElement {
  const email = h('input', {
    id: 'email',
    type: 'email',
    name: 'email',
    required: true,
    autocomplete: 'email',
  });
  const password = h('input', {
    id: 'password',
    type: 'password',
    name: 'password',
    required: true,
    minLength: 8,
    autocomplete: 'current-password',
  });
  const error = h('p', { class: 'error', role: 'alert' });
  const users = client.collection('users');

  const submit = async (mode: 'sign-in' | 'sign-up') => {
    error.textContent = '';
    if (!form.reportValidity()) return;
    try {
      if (mode === 'sign-up') {
        await users.create({ email: email.value, password: password.value, passwordConfirm: password.value });
      }
      // The auth store changes: main.ts shows the todos.
      await users.authWithPassword(email.value, password.value);
    } catch (err) {
      error.textContent = describeError(err);
    }
  };

  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'auth-title', onsubmit: (e: Event) => e.preventDefault() },
    h('h1', { id: 'auth-title' }, 'Todos on Plinth'),
    h('label', { for: 'email' }, 'Email'),
    email,
    h('label', { for: 'password' }, 'Password (8 characters or more)'),
    password,
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit', onclick: () => void submit('sign-in') }, 'Sign in'),
      h('button', { type: 'button', class: 'secondary', onclick: () => void submit('sign-up') }, 'Sign up'),
    ),
    error,
  );
  return form;
}
