import { CoalescingWriter } from './webhook-dispatcher';

describe('CoalescingWriter', () => {
  it('writes the first item at once and what comes during a write in the next one', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const writer = new CoalescingWriter<number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = writer.write(1);
    const later = [writer.write(2), writer.write(3)];
    expect(batches).toEqual([[1]]);
    release();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('fails the callers of a failed batch only, and goes on writing', async () => {
    const writer = new CoalescingWriter<number>((items) =>
      items.includes(2) ? Promise.reject(new Error('no connection')) : Promise.resolve(),
    );
    const one = writer.write(1);
    const two = writer.write(2);
    await expect(one).resolves.toBeUndefined();
    await expect(two).rejects.toThrow('no connection');
    await expect(writer.write(3)).resolves.toBeUndefined();
  });
});
