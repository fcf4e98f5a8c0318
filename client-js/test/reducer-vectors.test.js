// The JS reducer against the vectors that the Java reducer generates (shared/src/test/resources):
// reducer-vectors.json (per-op outcomes and the final state) and canvas-vectors.json (stop at the
// first failure). Both files are read as plain JSON, exactly as any client would read them.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CanvasState, EMPTY_HASH, FlowStateError, Reducer, canonicalize, compareCodePoints, sha256Hex,
} from '../reducer.js';

const resources = new URL('../../shared/src/test/resources/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(fileURLToPath(new URL(name, resources)), 'utf8'));

describe('reducer-vectors.json', () => {
  const vectors = load('reducer-vectors.json');

  test('has cases', () => {
    assert.ok(vectors.length >= 20, `only ${vectors.length} cases`);
  });

  for (const vector of vectors) {
    test(vector.name, async () => {
      const reducer = new Reducer();
      const state = CanvasState.empty();
      assert.equal(vector.expect.length, vector.ops.length, 'one expectation per op');
      let hash = EMPTY_HASH;
      for (let i = 0; i < vector.ops.length; i++) {
        const expected = vector.expect[i];
        let error = null;
        try {
          reducer.reduce(state, vector.ops[i]);
        } catch (e) {
          if (!(e instanceof FlowStateError)) {
            throw e;
          }
          error = e;
        }
        const actualHash = await state.hash();
        if (expected.error) {
          assert.ok(error, `op ${i} should fail with ${expected.error} but succeeded`);
          assert.equal(error.code, expected.error, `op ${i}: ${error.message}`);
          assert.equal(actualHash, hash, `op ${i} failed but changed the state`);
        } else {
          assert.equal(error, null, `op ${i} should succeed but failed: ${error && error.code} ${error && error.message}`);
          assert.equal(actualHash, expected.hash, `hash after op ${i}`);
          hash = actualHash;
        }
      }
      assert.deepEqual(state.toJSON(), vector.finalState);
      assert.equal(await state.hash(), vector.finalHash);
      assert.equal(await sha256Hex(canonicalize(vector.finalState.shapes)), vector.finalHash,
        'the final state canonicalized from scratch');
    });
  }
});

describe('canvas-vectors.json', () => {
  const vectors = load('canvas-vectors.json');
  for (const vector of vectors) {
    test(vector.name, async () => {
      const reducer = new Reducer();
      const state = CanvasState.empty();
      let outcome = null;
      for (let i = 0; i < vector.ops.length; i++) {
        try {
          reducer.reduce(state, vector.ops[i]);
        } catch (e) {
          if (!(e instanceof FlowStateError)) {
            throw e;
          }
          outcome = { error: e.code, atOp: i, hash: await state.hash() };
          break;
        }
      }
      if (outcome === null) {
        outcome = { hash: await state.hash(), shapes: state.toJSON().shapes };
      }
      assert.deepEqual(outcome, vector.expect);
    });
  }
});

describe('the JS reducer beyond the vectors', () => {
  test('sorts ids by code point, not by UTF-16 unit', () => {
    const ids = ['\u{1F600}', '\uffff', 'B', 'a', '\u00e9', 'a0', '\ue000', ''];
    assert.deepEqual(ids.sort(compareCodePoints), ['', 'B', 'a', 'a0', '\u00e9', '\ue000', '\uffff', '\u{1F600}']);
  });

  test('canonicalizes as RFC 8785 (keys by UTF-16 unit, ECMAScript numbers)', () => {
    assert.equal(canonicalize({ b: [1.0, -0, 1e21, 1e-7, 0.1], a: 'é\n\u0001"', '\u{1F600}': null, '\ufb33': true }),
      '{"a":"é\\n\\u0001\\"","b":[1,0,1e+21,1e-7,0.1],"\u{1F600}":null,"\ufb33":true}');
  });

  test('hashes the empty canvas as sha256("[]")', async () => {
    assert.equal(await CanvasState.empty().hash(), EMPTY_HASH);
    assert.equal(await sha256Hex('[]'), EMPTY_HASH);
  });

  test('reads a snapshot in any order, and refuses duplicate ids', async () => {
    const state = CanvasState.fromJSON({ shapes: [{ type: 'rect', id: 'b', y: 1.0, x: -0 }, { id: 'a', type: 'rect', x: 0, y: 0 }] });
    assert.deepEqual(state.toJSON(), { shapes: [{ id: 'a', type: 'rect', x: 0, y: 0 }, { id: 'b', type: 'rect', x: 0, y: 1 }] });
    assert.throws(() => CanvasState.fromJSON({ shapes: [{ id: 'a', type: 'rect', x: 0, y: 0 }, { id: 'a', type: 'rect', x: 0, y: 0 }] }),
      { code: 'invalid_op' });
    assert.throws(() => CanvasState.fromJSON({ shapes: [], extra: 1 }), { code: 'invalid_op' });
  });

  test('a fork overlays its root without changing it, and goes stale when the root changes', async () => {
    const reducer = new Reducer();
    const root = CanvasState.empty();
    reducer.reduce(root, { kind: 'create_shape', shape: { id: 'a', type: 'rect', x: 0, y: 0 } });
    reducer.reduce(root, { kind: 'create_shape', shape: { id: 'c', type: 'rect', x: 0, y: 0 } });
    const fork = root.fork();
    reducer.reduce(fork, { kind: 'batch', ops: [
      { kind: 'create_shape', shape: { id: 'b', type: 'rect', x: 0, y: 0 } },
      { kind: 'delete_shape', id: 'c' },
      { kind: 'move_shape', id: 'a', x: 5, y: 5 },
    ] });
    assert.deepEqual(fork.ids(), ['a', 'b']);
    assert.equal(fork.size, 2);
    assert.equal(fork.get('a').x, 5);
    assert.deepEqual(root.ids(), ['a', 'c']);
    assert.equal(root.get('a').x, 0);

    const direct = CanvasState.empty();
    reducer.reduce(direct, { kind: 'create_shape', shape: { id: 'a', type: 'rect', x: 5, y: 5 } });
    reducer.reduce(direct, { kind: 'create_shape', shape: { id: 'b', type: 'rect', x: 0, y: 0 } });
    assert.equal(await fork.hash(), await direct.hash());

    assert.throws(() => reducer.reduce(fork, { kind: 'batch', ops: [
      { kind: 'delete_shape', id: 'a' }, { kind: 'delete_shape', id: 'nope' }] }), { code: 'not_found', message: /^ops\[1\]: / });
    assert.deepEqual(fork.ids(), ['a', 'b'], 'a failed batch on a fork changes nothing');

    reducer.reduce(root, { kind: 'delete_shape', id: 'c' });
    assert.throws(() => fork.ids(), { code: 'stale_state' });
  });

  test('hands out frozen shapes', () => {
    const state = CanvasState.empty();
    new Reducer().reduce(state, { kind: 'create_shape', shape: { id: 'p', type: 'path', x: 0, y: 0, style: { fill: 'red' }, points: [[1, 2]] } });
    const shape = state.get('p');
    assert.ok(Object.isFrozen(shape) && Object.isFrozen(shape.style) && Object.isFrozen(shape.points[0]));
  });

  test('honours configured limits', () => {
    const reducer = new Reducer({ maxShapes: 1, maxIdLength: 3 });
    const state = CanvasState.empty();
    reducer.reduce(state, { kind: 'create_shape', shape: { id: 'abc', type: 'rect', x: 0, y: 0 } });
    assert.throws(() => reducer.reduce(state, { kind: 'create_shape', shape: { id: 'b', type: 'rect', x: 0, y: 0 } }),
      { code: 'too_large' });
    assert.throws(() => reducer.parse({ kind: 'delete_shape', id: 'abcd' }), { code: 'invalid_op' });
  });
});
