import { SingleFlight } from './single-flight';

describe('SingleFlight', () => {
  it('computes once for callers who ask for the same key while it runs, and again afterwards', async () => {
    const flight = new SingleFlight<number>();
    let computed = 0;
    let finish!: (value: number) => void;
    const compute = () => {
      computed++;
      return new Promise<number>((resolve) => (finish = resolve));
    };
    const first = flight.run('a', compute);
    const second = flight.run('a', compute);
    finish(7);
    expect(await Promise.all([first, second])).toEqual([7, 7]);
    expect(computed).toBe(1);
    const third = flight.run('a', compute);
    finish(8);
    expect(await third).toBe(8);
    expect(computed).toBe(2);
  });

  it('keeps keys apart, and shares an error with the callers waiting, not with later ones', async () => {
    const flight = new SingleFlight<string>();
    const failing = flight.run('x', () => Promise.reject(new Error('boom')));
    const waiting = flight.run('x', () => Promise.resolve('never started'));
    const other = flight.run('y', () => Promise.resolve('y'));
    await expect(failing).rejects.toThrow('boom');
    await expect(waiting).rejects.toThrow('boom');
    expect(await other).toBe('y');
    expect(await flight.run('x', () => Promise.resolve('again'))).toBe('again');
  });
});
