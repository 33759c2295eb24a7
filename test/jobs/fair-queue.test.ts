import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FairQueue } from '../../src/jobs/fair-queue.ts';

const entry = (name: string) => ({ name, cancelled: false });

describe('fair queue', () => {
  it('is FIFO per key and round-robin across keys, so a busy key cannot starve a quiet one', () => {
    const queue = new FairQueue<string, ReturnType<typeof entry>>();
    for (let i = 0; i < 5; i++) queue.enqueue('http', entry(`http${i}`));
    queue.enqueue('matrix', entry('matrix0'));
    queue.enqueue('matrix', entry('matrix1'));
    const order = [];
    for (let next = queue.dequeue(); next !== undefined; next = queue.dequeue()) order.push(next.name);
    assert.deepEqual(order, ['http0', 'matrix0', 'http1', 'matrix1', 'http2', 'http3', 'http4']);
    assert.equal(queue.size, 0);
  });

  it('cancelled entries stop counting at once and are skipped', () => {
    const queue = new FairQueue<string, ReturnType<typeof entry>>();
    const [a, b, c] = [entry('a'), entry('b'), entry('c')];
    queue.enqueue('k', a);
    queue.enqueue('k', b);
    queue.enqueue('k', c);
    queue.cancel(b);
    queue.cancel(b);
    assert.equal(queue.size, 2);
    assert.equal(queue.dequeue(), a);
    assert.equal(queue.dequeue(), c);
    assert.equal(queue.dequeue(), undefined);
    assert.equal(queue.size, 0);
  });
});
