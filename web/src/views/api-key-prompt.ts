// The API-key prompt: a modal dialog shown when the API answers 401 (client.ts asks once, retries).
import { h, on } from '../dom.ts';

/**
 * Shows a modal asking for the key; resolves to what was typed, or null if the user cancels.
 * The key is kept by the client in sessionStorage (this tab only), never in the page's URL.
 */
export function promptForApiKey(reason: string): Promise<string | null> {
  const input = h('input', {
    type: 'password',
    id: 'api-key-prompt-input',
    name: 'api-key',
    autocomplete: 'off',
    required: true,
    minlength: 8,
  });
  const dialog = h(
    'dialog',
    { class: 'api-key-prompt', 'aria-labelledby': 'api-key-prompt-title' },
    h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'api-key-prompt-title' }, 'API key needed'),
      h(
        'p',
        { class: 'muted' },
        `The server says: ${reason}. Enter the key you were given (X-API-Key); it is kept for this tab only.`,
      ),
      h('label', { for: 'api-key-prompt-input' }, 'API key'),
      input,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', value: 'ok' }, 'Use key'),
        h('button', { type: 'button', value: 'cancel', 'data-action': 'cancel' }, 'Cancel'),
      ),
    ),
  );
  return new Promise((resolve) => {
    const cancel = dialog.querySelector<HTMLButtonElement>('[data-action=cancel]');
    if (cancel !== null) {
      on(cancel, 'click', () => dialog.close('cancel'));
    }
    on(dialog, 'close', () => {
      const key = dialog.returnValue === 'ok' ? input.value.trim() : '';
      dialog.remove();
      resolve(key === '' ? null : key);
    });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}
