import { h } from '../dom.js';
import { pointsInWords } from '../status.js';
import type { AttemptQuestion, LabelledItem, ResponseValue } from '../quiz-types.js';
import { wordCount } from './answers.js';

/** One question on the quiz page: its fieldset, and the answer its controls hold now. */
export interface QuestionView {
  element: HTMLElement;
  /** Null: no answer (cleared, or not given yet). Undefined: what is typed is not an answer yet (a malformed number). */
  value(): ResponseValue | null | undefined;
}

type OnChange = (response: ResponseValue | null) => void;

function choiceList(
  name: string,
  kind: 'radio' | 'checkbox',
  options: { id: string; text: string; checked: boolean }[],
  onChange: () => void,
): { list: HTMLElement; inputs: HTMLInputElement[] } {
  const inputs: HTMLInputElement[] = [];
  const list = h(
    'ul',
    { class: 'checks' },
    ...options.map((option, i) => {
      const id = `${name}-${i}`;
      const input = h('input', { type: kind, id, name, value: option.id, checked: option.checked }) as HTMLInputElement;
      input.addEventListener('change', onChange);
      inputs.push(input);
      return h('li', {}, input, h('label', { for: id, class: 'inline' }, option.text));
    }),
  );
  return { list, inputs };
}

function singleChoice(q: AttemptQuestion, name: string, onChange: OnChange): [HTMLElement, () => ResponseValue | null] {
  const saved = q.response?.type === 'single_choice' ? q.response.choiceId : null;
  const read = (): ResponseValue | null => {
    const checked = inputs.find((i) => i.checked);
    return checked ? { type: 'single_choice', choiceId: checked.value } : null;
  };
  const { list, inputs } = choiceList(
    name,
    'radio',
    (q.question.choices ?? []).map((c) => ({ ...c, checked: c.id === saved })),
    () => onChange(read()),
  );
  return [list, read];
}

function multipleChoice(
  q: AttemptQuestion,
  name: string,
  onChange: OnChange,
): [HTMLElement, () => ResponseValue | null] {
  const saved = q.response?.type === 'multiple_choice' ? q.response.choiceIds : [];
  const read = (): ResponseValue | null => ({
    type: 'multiple_choice',
    choiceIds: inputs.filter((i) => i.checked).map((i) => i.value),
  });
  const { list, inputs } = choiceList(
    name,
    'checkbox',
    (q.question.choices ?? []).map((c) => ({ ...c, checked: saved.includes(c.id) })),
    () => onChange(read()),
  );
  return [h('div', {}, h('p', { class: 'help' }, 'Select every answer that applies.'), list), read];
}

function trueFalse(q: AttemptQuestion, name: string, onChange: OnChange): [HTMLElement, () => ResponseValue | null] {
  const saved = q.response?.type === 'true_false' ? q.response.value : null;
  const read = (): ResponseValue | null => {
    const checked = inputs.find((i) => i.checked);
    return checked ? { type: 'true_false', value: checked.value === 'true' } : null;
  };
  const { list, inputs } = choiceList(
    name,
    'radio',
    [
      { id: 'true', text: 'True', checked: saved === true },
      { id: 'false', text: 'False', checked: saved === false },
    ],
    () => onChange(read()),
  );
  return [list, read];
}

function shortText(q: AttemptQuestion, name: string, onChange: OnChange): [HTMLElement, () => ResponseValue | null] {
  const input = h('input', { type: 'text', id: name, autocomplete: 'off', maxlength: '2000' }) as HTMLInputElement;
  input.value = q.response?.type === 'short_text' ? q.response.text : '';
  const read = (): ResponseValue | null => (input.value === '' ? null : { type: 'short_text', text: input.value });
  input.addEventListener('input', () => onChange(read()));
  return [h('div', {}, h('label', { for: name }, 'Your answer'), input), read];
}

function numeric(
  q: AttemptQuestion,
  name: string,
  onChange: OnChange,
): [HTMLElement, () => ResponseValue | null | undefined] {
  const input = h('input', {
    type: 'text',
    inputmode: 'decimal',
    id: name,
    autocomplete: 'off',
    maxlength: '40',
    'aria-describedby': `${name}-msg`,
  }) as HTMLInputElement;
  input.value = q.response?.type === 'numeric' ? String(q.response.value) : '';
  const message = h('p', { id: `${name}-msg`, class: 'error', 'aria-live': 'polite' });
  const read = (): ResponseValue | null | undefined => {
    const text = input.value.trim().replace(',', '.');
    if (text === '') return null;
    const value = Number(text);
    return Number.isFinite(value) ? { type: 'numeric', value } : undefined;
  };
  input.addEventListener('input', () => {
    const value = read();
    message.textContent = value === undefined ? 'Enter a number, for example 12 or 0.5.' : '';
    input.setAttribute('aria-invalid', String(value === undefined));
    if (value !== undefined) onChange(value);
  });
  const unit = q.question.unit ? ` (in ${q.question.unit})` : '';
  return [h('div', {}, h('label', { for: name }, `Your answer${unit}`), input, message), read];
}

function essay(q: AttemptQuestion, name: string, onChange: OnChange): [HTMLElement, () => ResponseValue | null] {
  const area = h('textarea', {
    id: name,
    rows: '8',
    cols: '60',
    maxlength: '100000',
    'aria-describedby': `${name}-count`,
  }) as HTMLTextAreaElement;
  area.value = q.response?.type === 'essay' ? q.response.text : '';
  const limit = q.question.maxWords;
  const count = h('p', { id: `${name}-count`, class: 'help' });
  const showCount = () => {
    const words = wordCount(area.value);
    count.textContent = limit
      ? `${words} of at most ${limit} words${words > limit ? ': over the limit' : ''}`
      : `${words} words`;
  };
  showCount();
  const read = (): ResponseValue | null => (area.value.trim() === '' ? null : { type: 'essay', text: area.value });
  area.addEventListener('input', () => {
    showCount();
    onChange(read());
  });
  return [h('div', {}, h('label', { for: name }, 'Your answer'), area, count), read];
}

function matching(q: AttemptQuestion, name: string, onChange: OnChange): [HTMLElement, () => ResponseValue | null] {
  const saved = q.response?.type === 'matching' ? q.response.pairs : {};
  const options = q.question.options ?? [];
  const selects: [LabelledItem, HTMLSelectElement][] = [];
  const read = (): ResponseValue | null => {
    const pairs: Record<string, string> = {};
    for (const [prompt, select] of selects) if (select.value) pairs[prompt.id] = select.value;
    return Object.keys(pairs).length === 0 ? null : { type: 'matching', pairs };
  };
  const rows = (q.question.prompts ?? []).map((prompt, i) => {
    const id = `${name}-${i}`;
    const select = h(
      'select',
      { id },
      h('option', { value: '' }, 'Choose…'),
      ...options.map((o) => h('option', { value: o.id, selected: saved[prompt.id] === o.id }, o.text)),
    ) as HTMLSelectElement;
    select.addEventListener('change', () => onChange(read()));
    selects.push([prompt, select]);
    return h('div', { class: 'match-row' }, h('label', { for: id }, prompt.text), select);
  });
  return [h('div', {}, ...rows), read];
}

/**
 * Ordering by keyboard (a Move up and a Move down button per item, focus
 * staying on the item moved, each move announced) and by dragging. An
 * untouched list is no answer: the learner moves an item or confirms the
 * order shown.
 */
function ordering(q: AttemptQuestion, name: string, onChange: OnChange): [HTMLElement, () => ResponseValue | null] {
  const byId = new Map((q.question.items ?? []).map((item) => [item.id, item]));
  const order = q.response?.type === 'ordering' ? q.response.order.filter((id) => byId.has(id)) : [...byId.keys()];
  for (const id of byId.keys()) if (!order.includes(id)) order.push(id);
  let answered = q.response?.type === 'ordering';
  const list = h('ol', { class: 'ordering' });
  const announce = h('p', { class: 'visually-hidden', 'aria-live': 'polite' });
  const confirm = h('button', { type: 'button', class: 'secondary' }, 'Use this order');
  const read = (): ResponseValue | null => (answered ? { type: 'ordering', order: [...order] } : null);
  let dragged: string | null = null;

  const commit = (focusId?: string, direction?: 'up' | 'down') => {
    answered = true;
    confirm.hidden = true;
    draw();
    if (focusId) {
      const pos = order.indexOf(focusId);
      const text = byId.get(focusId)!.text;
      announce.textContent = `${text}: now ${pos + 1} of ${order.length}`;
      const want = list.querySelector<HTMLButtonElement>(`button[data-id="${focusId}"][data-dir="${direction}"]`);
      const other = list.querySelector<HTMLButtonElement>(`button[data-id="${focusId}"]:not([disabled])`);
      (want && !want.disabled ? want : other)?.focus();
    }
    onChange(read());
  };
  const move = (id: string, by: number) => {
    const from = order.indexOf(id);
    const to = from + by;
    if (to < 0 || to >= order.length) return;
    order.splice(from, 1);
    order.splice(to, 0, id);
    commit(id, by < 0 ? 'up' : 'down');
  };
  const draw = () => {
    list.replaceChildren(
      ...order.map((id, i) => {
        const text = byId.get(id)!.text;
        const up = h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'data-id': id,
            'data-dir': 'up',
            'aria-label': `Move up: ${text}`,
            disabled: i === 0,
          },
          '↑',
        );
        const down = h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'data-id': id,
            'data-dir': 'down',
            'aria-label': `Move down: ${text}`,
            disabled: i === order.length - 1,
          },
          '↓',
        );
        up.addEventListener('click', () => move(id, -1));
        down.addEventListener('click', () => move(id, 1));
        const li = h('li', { draggable: 'true', 'data-id': id }, h('span', { class: 'order-text' }, text), up, down);
        li.addEventListener('dragstart', (e) => {
          dragged = id;
          e.dataTransfer?.setData('text/plain', id);
        });
        li.addEventListener('dragover', (e) => e.preventDefault());
        li.addEventListener('drop', (e) => {
          e.preventDefault();
          if (!dragged || dragged === id) return;
          // Dropped on an item: takes its place, whichever way it came from.
          const to = order.indexOf(id);
          order.splice(order.indexOf(dragged), 1);
          order.splice(to, 0, dragged);
          const moved = dragged;
          dragged = null;
          commit(moved);
        });
        return li;
      }),
    );
  };
  confirm.hidden = answered;
  confirm.addEventListener('click', () => commit());
  draw();
  return [
    h(
      'div',
      {},
      h(
        'p',
        { class: 'help', id: `${name}-help` },
        'Put the items in order: drag them, or use their up and down buttons.',
      ),
      list,
      confirm,
      announce,
    ),
    read,
  ];
}

const BUILDERS = {
  single_choice: singleChoice,
  multiple_choice: multipleChoice,
  true_false: trueFalse,
  short_text: shortText,
  numeric,
  ordering,
  matching,
  essay,
} as const;

export function questionView(q: AttemptQuestion, total: number, onChange: OnChange): QuestionView {
  const name = `q${q.position}`;
  const [control, read] = BUILDERS[q.question.type](q, name, onChange);
  const element = h(
    'fieldset',
    { class: 'question', id: `question-${q.position}`, 'data-question': q.questionVersionId },
    h(
      'legend',
      {},
      h('span', { class: 'q-number' }, `Question ${q.position} of ${total} · ${pointsInWords(q.question.points)}`),
      h('span', { class: 'q-prompt' }, q.question.prompt),
    ),
    control,
    q.question.hint ? h('details', { class: 'hint' }, h('summary', {}, 'Hint'), h('p', {}, q.question.hint)) : null,
  );
  return { element, value: read };
}
