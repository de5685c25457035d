/**
 * The script and style of the account pages, served as files so the pages' CSP allows no inline code.
 * The script reads the token from the URL fragment, drops it from the address bar, posts it to the
 * collection's confirm route and shows the outcome; it only ever sets textContent.
 */
export const ACCOUNT_PAGE_SCRIPT = `'use strict';
(function () {
  var body = document.body;
  var page = body.getAttribute('data-page');
  var collection = body.getAttribute('data-collection');
  var form = document.getElementById('account-form');
  var status = document.getElementById('status');
  var back = document.getElementById('back');
  var button = form.querySelector('button');
  var token = new URLSearchParams(location.hash.slice(1)).get('token');
  // The token is in memory now; keep it out of the history and of anything copied from the address bar.
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);

  function show(text, kind) {
    status.textContent = text;
    status.className = 'status ' + kind;
  }
  function finish(text, kind) {
    form.hidden = true;
    show(text, kind);
    if (back) back.hidden = false;
  }
  if (!token) {
    finish('This link is incomplete: open the whole link from the mail, or ask for a new mail.', 'error');
    return;
  }
  var field = function (name) {
    var el = form.elements.namedItem(name);
    return el ? el.value : '';
  };
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var payload = { token: token };
    if (page === 'confirm-password-reset') {
      payload.password = field('password');
      payload.passwordConfirm = field('passwordConfirm');
      if (payload.password !== payload.passwordConfirm) {
        show('The two passwords differ: type the same new password in both fields.', 'error');
        form.elements.namedItem('passwordConfirm').focus();
        return;
      }
    } else if (page === 'confirm-email-change') {
      payload.password = field('password');
    }
    button.disabled = true;
    show('Working…', 'pending');
    fetch('/api/collections/' + encodeURIComponent(collection) + '/' + page, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload),
      credentials: 'omit',
    })
      .then(function (res) {
        if (res.ok) {
          finish(body.getAttribute('data-done'), 'done');
          return;
        }
        return res
          .json()
          .catch(function () {
            return {};
          })
          .then(function (problem) {
            var text = problem.detail || 'The server answered ' + res.status + '. Try again later.';
            // A used-up link cannot be retried; the email change uses its link up even on a wrong password.
            if (/TOKEN_INVALID$/.test(problem.code || '') || page === 'confirm-email-change') {
              finish(text, 'error');
            } else {
              button.disabled = false;
              show(text, 'error');
            }
          });
      })
      .catch(function () {
        button.disabled = false;
        show('The server could not be reached. Check the connection and try again.', 'error');
      });
  });
})();
`;

export const ACCOUNT_PAGE_STYLE = `*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1b1f24;background:#f4f5f7}
body{margin:0;padding:1rem}
main{max-width:28rem;margin:2rem auto;padding:1.5rem;background:#fff;border:1px solid #d6d9de;border-radius:8px}
.app{margin:0 0 .25rem;font-weight:600;color:#4a5361}
h1{margin:0 0 1rem;font-size:1.5rem;line-height:1.25}
label{display:block;margin:1rem 0 .25rem;font-weight:600}
input{display:block;width:100%;padding:.6rem .7rem;font:inherit;border:1px solid #8a939f;border-radius:6px}
input:focus,button:focus,a:focus{outline:3px solid #2f6fde;outline-offset:2px}
.hint{margin:.25rem 0 0;color:#4a5361;font-size:.9rem}
button{margin-top:1.25rem;width:100%;padding:.7rem 1rem;font:inherit;font-weight:600;color:#fff;background:#1f5fcf;border:0;border-radius:6px;cursor:pointer}
button:disabled{opacity:.6;cursor:wait}
.status{margin:1rem 0 0}
.status:empty{display:none}
.status.done{padding:.75rem;background:#e7f5ea;border:1px solid #2e7d32;border-radius:6px}
.status.error{padding:.75rem;background:#fdecea;border:1px solid #c62828;border-radius:6px}
.back{margin:1rem 0 0}
a{color:#1f5fcf}
`;
