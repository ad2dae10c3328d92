// Chunk-size slider (webview side). Receives {type:'state'} from the extension, renders the
// range input and its labels, and posts {type:'set'} / {type:'measure'} back.
// @ts-check
(function () {
  const vscode = acquireVsCodeApi();
  const input = /** @type {HTMLInputElement} */ (document.getElementById('chunk-size'));
  const ticks = /** @type {HTMLDataListElement} */ (document.getElementById('chunk-ticks'));
  const labels = /** @type {HTMLOListElement} */ (document.getElementById('chunk-labels'));
  const current = /** @type {HTMLParagraphElement} */ (document.getElementById('chunk-current'));
  const measure = /** @type {HTMLButtonElement} */ (document.getElementById('measure'));
  const hint = /** @type {HTMLSpanElement} */ (document.getElementById('chunk-hint'));
  const left = /** @type {HTMLSpanElement} */ (document.getElementById('scale-left'));
  const right = /** @type {HTMLSpanElement} */ (document.getElementById('scale-right'));
  /** @type {{value: string|number, label: string, detail: string}[]} */
  let choices = [];
  let sent = -1;

  function describe(i, effective) {
    const c = choices[i];
    if (!c) return '';
    return c.value === 'auto' ? `auto: using C = ${effective} (${c.detail})` : `C = ${c.label}: ${c.detail}`;
  }

  function render(state) {
    choices = state.choices;
    if (state.wording) {
      hint.textContent = state.wording.hint;
      left.textContent = state.wording.left;
      right.textContent = state.wording.right;
    }
    input.max = String(Math.max(0, choices.length - 1));
    input.value = String(state.index);
    input.disabled = !state.ready;
    input.setAttribute('aria-valuetext', describe(state.index, state.effective));
    ticks.replaceChildren(
      ...choices.map((c, i) => {
        const o = document.createElement('option');
        o.value = String(i);
        o.label = c.label;
        return o;
      }),
    );
    labels.replaceChildren(
      ...choices.map((c, i) => {
        const li = document.createElement('li');
        if (i === state.index) li.className = 'selected';
        const strong = document.createElement('strong');
        strong.textContent = c.label;
        const small = document.createElement('span');
        small.textContent = c.detail;
        li.append(strong, small);
        li.addEventListener('click', () => choose(i));
        return li;
      }),
    );
    current.textContent = state.ready ? describe(state.index, state.effective) : 'The model is not loaded.';
    sent = -1;
  }

  function choose(i) {
    if (i === sent || !choices[i]) return;
    sent = i;
    input.value = String(i);
    vscode.postMessage({ type: 'set', value: choices[i].value });
  }

  input.addEventListener('input', () => {
    current.textContent = describe(Number(input.value), '…');
  });
  input.addEventListener('change', () => choose(Number(input.value)));
  measure.addEventListener('click', () => vscode.postMessage({ type: 'measure' }));
  window.addEventListener('message', (event) => {
    const msg = event.data;
    if (msg && msg.type === 'state') render(msg);
  });
  vscode.postMessage({ type: 'ready' });
})();
