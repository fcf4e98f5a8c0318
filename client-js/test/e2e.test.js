// End to end against a real FlowState server: set FLOWSTATE_URL (e.g. http://localhost:8080 from
// `./flowstate dev`, which has guest access on). Skipped, loudly, when it is not set.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { FlowStateClient } from '../flowstate-client.js';

const URL_ = process.env.FLOWSTATE_URL;

if (!URL_) {
  const why = 'set FLOWSTATE_URL (e.g. FLOWSTATE_URL=http://localhost:8080 after `./flowstate dev`) to run the '
      + 'client against a real server';
  console.warn(`\n*** e2e.test.js SKIPPED: ${why} ***\n`);
  test('end to end against a real server', { skip: why }, () => {});
}

async function waitFor(condition, message, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error('timed out waiting for ' + message);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('against a real server (FLOWSTATE_URL)', { skip: !URL_, timeout: 60_000 }, () => {
  const room = 'sdk-e2e-' + globalThis.crypto.randomUUID();
  let alice;
  let bob;

  before(async () => {
    alice = new FlowStateClient({ url: URL_, WebSocket, guest: 'alice-' + Date.now(), name: 'Alice' });
    bob = new FlowStateClient({ url: URL_, WebSocket, guest: 'bob-' + Date.now(), name: 'Bob' });
    await Promise.all([alice.join(room), bob.join(room)]);
  });

  after(() => {
    alice?.close();
    bob?.close();
  });

  test('two guests draw concurrently and converge to the same state and hash', async () => {
    const errors = [];
    alice.on('error', (e) => errors.push(e));
    bob.on('error', (e) => errors.push(e));
    const submitted = [];
    for (let i = 0; i < 20; i++) {
      submitted.push(alice.submit(room, { kind: 'create_shape', shape: { id: 'a' + i, type: 'rect', x: i, y: 0, w: 10, h: 10 } }));
      submitted.push(bob.submit(room, { kind: 'create_shape', shape: { id: 'b' + i, type: 'ellipse', x: 0, y: i, z: 'a' + i } }));
    }
    for (let i = 0; i < 20; i++) {
      submitted.push(alice.submit(room, { kind: 'move_shape', id: 'a' + i, x: i * 2, y: 1.5 }));
      submitted.push(bob.submit(room, { kind: 'batch', ops: [
        { kind: 'update_shape', id: 'b' + i, set: { text: 'bob ' + i, style: { fill: '#abc' } } },
        { kind: 'resize_shape', id: 'b' + i, w: 3, h: 4 },
      ] }));
    }
    const results = await Promise.all(submitted.map((s) => s.committed));
    assert.equal(new Set(results.map((r) => r.version)).size, results.length, 'every op has its own version');

    // Both edit the same field of the same shape: the server's order decides, both agree.
    await Promise.all([
      alice.submit(room, { kind: 'update_shape', id: 'a0', set: { text: 'alice wins?' } }).committed,
      bob.submit(room, { kind: 'update_shape', id: 'a0', set: { text: 'bob wins?' } }).committed,
    ]);
    await waitFor(() => alice.version(room) === bob.version(room) && alice.pendingCount === 0 && bob.pendingCount === 0,
      'both at the same version');
    const [ha, hb] = await Promise.all([alice.state(room).hash(), bob.state(room).hash()]);
    assert.equal(ha, hb);
    assert.equal(alice.state(room).size, 40);
    assert.deepEqual(alice.state(room).toJSON(), bob.state(room).toJSON());
    assert.deepEqual(errors, []);

    const [va, vb] = await Promise.all([alice.verify(room), bob.verify(room)]);
    assert.ok(va.ok && vb.ok, 'both match GET /v1/rooms/{id}/state');
  });

  test('refused ops are dropped from the optimistic state with their error code', async () => {
    const bad = alice.submit(room, { kind: 'create_shape', shape: { id: 'a1', type: 'rect', x: 0, y: 0 } });
    assert.equal((await bad.committed.catch((e) => e)).code, 'conflict');
    const missing = bob.submit(room, { kind: 'delete_shape', id: 'nope' });
    assert.equal((await missing.committed.catch((e) => e)).code, 'not_found');
    assert.equal(alice.pendingCount + bob.pendingCount, 0);
  });

  test('undo and redo go through the server and reach both clients', async () => {
    const created = await alice.submit(room, { kind: 'create_shape', shape: { id: 'undo-me', type: 'sticky', x: 1, y: 1 } }).committed;
    await waitFor(() => bob.state(room)?.has('undo-me'), 'bob sees the shape');
    const undone = await alice.undo(room).committed;
    assert.equal(undone.event.undoOf, created.version);
    await waitFor(() => bob.version(room) === undone.version, 'bob sees the undo');
    assert.equal(bob.state(room).has('undo-me'), false);
    const redone = await alice.redo(room).committed;
    assert.equal(redone.event.redoOf, created.version, 'redoOf names the op redone (docs/PROTOCOL.md), not the undo');
    await waitFor(() => bob.version(room) === redone.version, 'bob sees the redo');
    assert.equal(bob.state(room).has('undo-me'), true);
    assert.equal(await alice.state(room).hash(), await bob.state(room).hash());
  });

  test('presence and chat reach the other client', async () => {
    const seen = [];
    const chats = [];
    bob.on('presence', (e) => seen.push(e));
    bob.on('chat', (e) => chats.push(e));
    for (let i = 0; i < 30; i++) {
      alice.presence(room, { cursor: [i, i] });
    }
    await waitFor(() => seen.some((e) => e.state.cursor[0] === 29), 'the latest cursor');
    assert.equal(seen.at(-1).user.name, 'Alice');
    alice.chat(room, '/me waves');
    await waitFor(() => chats.length > 0, 'chat');
    assert.deepEqual([chats[0].text, chats[0].action, chats[0].user.name], ['waves', true, 'Alice']);
  });

  test('a late joiner gets a snapshot whose hash matches, and resumes with since after a reconnect', async () => {
    const carol = new FlowStateClient({ url: URL_, WebSocket, guest: 'carol-' + Date.now() });
    const errors = [];
    carol.on('error', (e) => errors.push(e));
    try {
      await carol.join(room);
      assert.equal(await carol.state(room).hash(), await alice.state(room).hash());
      const v = carol.version(room);
      carol.close();
      await alice.submit(room, { kind: 'move_shape', id: 'a1', x: 100, y: 100 }).committed;
      await carol.connect();
      await waitFor(() => carol.version(room) === alice.version(room), 'carol caught up');
      assert.ok(carol.version(room) > v);
      assert.equal(await carol.state(room).hash(), await alice.state(room).hash());
      assert.deepEqual(errors, [], 'no hash mismatch');
    } finally {
      carol.close();
    }
  });

  test('the server commits and hashes every vector of reducer-vectors.json as the JS reducer does', async () => {
    const vectors = JSON.parse(readFileSync(new URL('../../shared/src/test/resources/reducer-vectors.json', import.meta.url), 'utf8'));
    for (const vector of vectors) {
      const vroom = 'sdk-vectors-' + globalThis.crypto.randomUUID();
      await alice.join(vroom);
      for (let i = 0; i < vector.ops.length; i++) {
        let code = null;
        try {
          await alice.submit(vroom, vector.ops[i]).committed;
        } catch (e) {
          code = e.code;
        }
        assert.equal(code, vector.expect[i].error ?? null, `${vector.name}: op ${i}`);
      }
      const check = await alice.verify(vroom);
      assert.equal(check.serverHash, vector.finalHash, vector.name);
      assert.deepEqual(alice.state(vroom).toJSON(), vector.finalState, vector.name);
      await alice.leave(vroom);
    }
  });
});
