import { Autosaver, type SaveState } from './autosave';
import type { ResponseValue } from '../quiz-types';

type Batch = { questionVersionId: string; response: ResponseValue | null }[];

/** An Autosaver on a hand-driven clock and a save whose outcome each test decides. */
function harness() {
  const timers: { fn: () => void; ms: number }[] = [];
  const states: SaveState[] = [];
  const calls: { batch: Batch; resolve: () => void; reject: (e: Error) => void }[] = [];
  const saver = new Autosaver({
    save: (batch) => new Promise<void>((resolve, reject) => calls.push({ batch, resolve, reject })),
    classify: (err) => ({ retriable: (err as Error).message !== 'closed', message: (err as Error).message }),
    onState: (s) => states.push(s),
    setTimer: (fn, ms) => {
      const t = { fn, ms };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => timers.splice(timers.indexOf(t as (typeof timers)[number]), 1),
    debounceMs: 500,
  });
  const tick = async () => {
    const t = timers.shift();
    if (!t) throw new Error('no timer pending');
    t.fn();
    await Promise.resolve();
    return t.ms;
  };
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { saver, timers, states, calls, tick, settle };
}

const text = (t: string): ResponseValue => ({ type: 'short_text', text: t });

describe('Autosaver', () => {
  it('waits for more changes, then saves the latest value of each question in one call', async () => {
    const { saver, calls, tick, states, settle } = harness();
    saver.change('q1', text('a'));
    saver.change('q1', text('ab'));
    saver.change('q2', text('x'));
    expect(await tick()).toBe(500);
    expect(calls).toHaveLength(1);
    expect(calls[0].batch).toEqual([
      { questionVersionId: 'q1', response: text('ab') },
      { questionVersionId: 'q2', response: text('x') },
    ]);
    calls[0].resolve();
    await settle();
    expect(states.at(-1)).toEqual({ kind: 'saved' });
    expect(saver.hasUnsaved).toBe(false);
  });

  it('keeps one save in flight and sends what changed meanwhile next', async () => {
    const { saver, calls, tick, settle, timers } = harness();
    saver.change('q1', text('a'));
    await tick();
    saver.change('q1', text('b'));
    await tick(); // debounce ends while the first save is in flight: nothing sent
    expect(calls).toHaveLength(1);
    calls[0].resolve();
    await settle();
    expect(timers.map((t) => t.ms)).toEqual([0]);
    await tick();
    expect(calls[1].batch).toEqual([{ questionVersionId: 'q1', response: text('b') }]);
  });

  it('retries a failed save with a doubling wait and never loses a newer answer', async () => {
    const { saver, calls, tick, settle, states } = harness();
    saver.change('q1', text('a'));
    saver.change('q2', text('x'));
    await tick();
    calls[0].reject(new Error('network down'));
    await settle();
    expect(states.at(-1)).toEqual({ kind: 'retrying', inSeconds: 1, reason: 'network down' });
    saver.change('q1', text('newer'));
    expect(await tick()).toBe(1000);
    expect(calls[1].batch).toEqual(
      expect.arrayContaining([
        { questionVersionId: 'q1', response: text('newer') },
        { questionVersionId: 'q2', response: text('x') },
      ]),
    );
    calls[1].reject(new Error('network down'));
    await settle();
    expect(await tick()).toBe(2000);
    calls[2].resolve();
    await settle();
    expect(states.at(-1)).toEqual({ kind: 'saved' });
  });

  it('flush resolves once everything is saved, and rejects when saving stops', async () => {
    const { saver, calls, tick, settle, states } = harness();
    await expect(saver.flush()).resolves.toBeUndefined();
    saver.change('q1', text('a'));
    const flushed = saver.flush();
    await tick();
    calls[0].resolve();
    await expect(flushed).resolves.toBeUndefined();

    saver.change('q1', text('b'));
    const refused = saver.flush();
    await tick();
    calls[1].reject(new Error('closed'));
    await expect(refused).rejects.toThrow('closed');
    await settle();
    expect(states.at(-1)).toEqual({ kind: 'stopped', reason: 'closed' });
    saver.change('q1', text('c'));
    expect(calls).toHaveLength(2);
  });
});
