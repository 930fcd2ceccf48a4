import type { Locator, Page } from 'playwright-core';
import type { AttemptView } from './fixtures';

/** A question of an attempt with the fields a learner's page shows (LearnerQuestionDto). */
export interface ShownQuestion {
  questionVersionId: string;
  position: number;
  question: {
    type: string;
    prompt: string;
    choices?: { id: string; text: string }[];
    items?: { id: string; text: string }[];
    prompts?: { id: string; text: string }[];
    options?: { id: string; text: string }[];
  };
}

/** What answerByKeyboard gives for a question, as PUT /v1/attempts/{id}/responses stores it. */
export type Expected = Record<string, unknown>;

export const ESSAY_TEXT =
  'Contain first: isolate the instance. <script>window.__essayRan = true</script> & then analyse.';

export function questionBox(page: Page, q: ShownQuestion): Locator {
  return page.locator(`fieldset[data-question="${q.questionVersionId}"]`);
}

/**
 * Answers one question with the keyboard only: focus lands on the question's
 * first control (as Tab would bring it there), then keys do the rest. Returns
 * the response the page must have saved.
 */
export async function answerByKeyboard(page: Page, q: ShownQuestion): Promise<Expected> {
  const box = questionBox(page, q);
  const kb = page.keyboard;
  const first = box.locator('input, select, textarea, button').first();
  await first.focus();
  const { type } = q.question;
  switch (type) {
    case 'single_choice':
      // Space checks the focused radio; an arrow key moves to the next one and checks it.
      await kb.press('Space');
      await kb.press('ArrowDown');
      return { type, choiceId: q.question.choices![1].id };
    case 'true_false':
      await kb.press('Space');
      return { type, value: true };
    case 'multiple_choice':
      await kb.press('Space');
      await kb.press('Tab');
      await kb.press('Space');
      return { type, choiceIds: [q.question.choices![0].id, q.question.choices![1].id] };
    case 'short_text':
      await kb.type('CloudTrail');
      return { type, text: 'CloudTrail' };
    case 'numeric':
      await kb.type('90');
      return { type, value: 90 };
    case 'essay':
      await kb.type(ESSAY_TEXT);
      return { type, text: ESSAY_TEXT };
    case 'ordering': {
      // The first item's "Move down" button: Enter moves it one place down, and focus follows it.
      const items = q.question.items!;
      await box.getByRole('button', { name: `Move down: ${items[0].text}` }).focus();
      await kb.press('Enter');
      const order = items.map((i) => i.id);
      [order[0], order[1]] = [order[1], order[0]];
      return { type, order };
    }
    case 'matching': {
      // Prompt i gets option i: ArrowDown on a closed select picks the next option.
      const pairs: Record<string, string> = {};
      const prompts = q.question.prompts!;
      for (let i = 0; i < prompts.length; i++) {
        if (i > 0) await kb.press('Tab');
        for (let k = 0; k <= i; k++) await kb.press('ArrowDown');
        pairs[prompts[i].id] = q.question.options![i].id;
      }
      return { type, pairs };
    }
    default:
      throw new Error(`test setup: no keyboard answer for ${type}`);
  }
}

/** Waits until the page says every answer is saved. */
export async function waitForSaved(page: Page) {
  await page.getByRole('status').filter({ hasText: 'All answers saved.' }).waitFor();
}

/** The attempt's responses by question version id, as the API returns them. */
export function savedResponses(attempt: AttemptView): Map<string, unknown> {
  return new Map(attempt.questions.map((q) => [q.questionVersionId, q.response]));
}

/** The seconds left the page's timer shows. */
export async function timerSeconds(page: Page): Promise<number> {
  const text = (await page.getByRole('timer').textContent()) ?? '';
  const match = /(\d+):(\d\d)$/.exec(text.trim());
  if (!match) throw new Error(`timer shows "${text}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}
