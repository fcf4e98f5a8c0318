// The client SDK against a small scripted FlowState server written with the `ws` package: a real
// WebSocket (and HTTP) server that speaks the wire protocol, keeps an op log per room with the JS
// reducer, and lets each test intercept frames, drop sockets or send frames of its own.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { CanvasState, FlowStateClient, FlowStateError, Reducer, backoff, endpoints, tokenExpiry } from '../flowstate-client.js';

// ------------------------------------------------------------------------------------------------
// The fake server

class FakeServer {
  /** Handles a client frame before the default behaviour; return true when handled. */
  intercept = null;
  /** false: every join gets a snapshot (as when the client is too far behind). */
  catchUp = true;
  /** Overrides the snapshot hash sent in `joined` (to test verification). */
  snapshotHash = null;
  conns = [];
  received = [];
  rooms = new Map();
  reducer = new Reducer();

  constructor() {
    this.http = http.createServer((req, res) => this.#onHttp(req, res));
    this.wss = new WebSocketServer({ server: this.http, path: '/v1/ws' });
    this.wss.on('connection', (ws, req) => this.#onConnection(ws, req));
  }

  async start() {
    await new Promise((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${this.http.address().port}`;
    return this;
  }

  async stop() {
    for (const c of this.conns) {
      c.ws.terminate();
    }
    await new Promise((resolve) => this.wss.close(resolve));
    this.http.closeAllConnections?.();
    await new Promise((resolve) => this.http.close(resolve));
  }

  /** Frames of one type the server received (optionally from connection `conn`). */
  frames(type, conn = undefined) {
    return this.received.filter((r) => r.frame.type === type && (conn === undefined || r.conn === conn))
      .map((r) => r.frame);
  }

  get last() {
    return this.conns[this.conns.length - 1];
  }

  room(id) {
    if (!this.rooms.has(id)) {
      this.rooms.set(id, { id, version: 0, events: [], state: CanvasState.empty(), committed: new Map() });
    }
    return this.rooms.get(id);
  }

  /** Commits `op` in `room` as `author`, broadcasting the event to every subscriber but `mute`. */
  commit(roomId, author, id, op, { mute = null, extra = {} } = {}) {
    const room = this.room(roomId);
    const parsed = this.reducer.parse(op);
    this.reducer.apply(room.state, parsed);
    room.version++;
    const event = { type: 'op', room: roomId, version: room.version, id, author: { id: author.id, name: author.name },
      op: parsed, at: new Date().toISOString(), ...extra };
    room.events.push(event);
    room.committed.set(author.id + '\u0000' + id, room.version);
    for (const c of this.conns) {
      if (c !== mute && c.rooms.has(roomId)) {
        c.send(event);
      }
    }
    return event;
  }

  #onConnection(ws, req) {
    const params = new URL(req.url, 'http://x').searchParams;
    let user;
    if (params.get('access_token')) {
      const claims = JSON.parse(Buffer.from(params.get('access_token').split('.')[1], 'base64url').toString());
      user = { id: claims.sub, name: claims.name ?? claims.sub, color: '#123456' };
    } else {
      const guest = params.get('guest') ?? 'random' + this.conns.length;
      user = { id: 'guest-' + guest, name: params.get('name') ?? 'Guest', color: '#654321' };
    }
    const conn = {
      ws, user, params, rooms: new Set(), index: this.conns.length,
      send: (frame) => {
        if (ws.readyState === WebSocket.OPEN) {
          ws.send(JSON.stringify(frame));
        }
      },
    };
    this.conns.push(conn);
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      this.received.push({ conn, frame });
      if (this.intercept && this.intercept(conn, frame)) {
        return;
      }
      this.handle(conn, frame);
    });
    conn.send({ type: 'welcome', session: 's' + conn.index, user, gateway: 'fake', heartbeatMs: 15000 });
  }

  /** The default behaviour of a FlowState gateway + sequencer, simplified. */
  handle(conn, frame) {
    const { room: roomId, rid } = frame;
    const error = (code, message, extra = {}) => conn.send({ type: 'error', code, message, rid, room: roomId, ...extra });
    switch (frame.type) {
      case 'join': {
        const room = this.room(roomId);
        conn.rooms.add(roomId);
        const joined = { type: 'joined', room: roomId, role: 'editor', version: room.version, rid, members: [conn.user] };
        if (this.catchUp && Number.isInteger(frame.since) && frame.since <= room.version) {
          joined.ops = room.events.slice(frame.since);
        } else {
          joined.snapshot = { version: room.version, state: room.state.toJSON(), hash: null };
        }
        if (joined.snapshot) {
          room.state.hash().then((hash) => {
            joined.snapshot.hash = this.snapshotHash ?? hash;
            conn.send(joined);
            conn.send({ type: 'members', room: roomId, users: [conn.user] });
          });
        } else {
          conn.send(joined);
          conn.send({ type: 'members', room: roomId, users: [conn.user] });
        }
        return;
      }
      case 'leave':
        conn.rooms.delete(roomId);
        conn.send({ type: 'left', room: roomId, rid });
        return;
      case 'op': {
        if (!conn.rooms.has(roomId)) {
          error('not_joined', 'join first', { id: frame.id });
          return;
        }
        const room = this.room(roomId);
        const done = room.committed.get(conn.user.id + '\u0000' + frame.id);
        if (done !== undefined) {
          conn.send({ type: 'ack', room: roomId, id: frame.id, version: done, duplicate: true, rid });
          return;
        }
        try {
          this.commit(roomId, conn.user, frame.id, frame.op);
        } catch (e) {
          error(e.code, e.message, { id: frame.id });
        }
        return;
      }
      case 'undo':
      case 'redo':
        error('nothing_to_' + frame.type, 'nothing to ' + frame.type, { id: frame.id });
        return;
      case 'presence':
        for (const c of this.conns) {
          if (c !== conn && c.rooms.has(roomId)) {
            c.send({ type: 'presence', room: roomId, user: conn.user, state: frame.state });
          }
        }
        return;
      case 'chat':
        for (const c of this.conns) {
          if (c.rooms.has(roomId)) {
            c.send({ type: 'chat', room: roomId, user: conn.user, text: frame.text, action: false, at: new Date().toISOString() });
          }
        }
        return;
      case 'refresh':
        conn.send({ type: 'refreshed', expiresAt: new Date(tokenExpiry(frame.token)).toISOString(), rid });
        return;
      default:
        error('bad_request', 'unknown type');
    }
  }

  async #onHttp(req, res) {
    const url = new URL(req.url, 'http://x');
    const match = url.pathname.match(/^\/v1\/rooms\/([^/]+)\/state$/);
    const room = match && this.rooms.get(decodeURIComponent(match[1]));
    const version = Number(url.searchParams.get('version'));
    if (!room || !(version >= 1 && version <= room.version)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'not_found', message: 'no such room or version' }));
      return;
    }
    const state = CanvasState.empty();
    for (const event of room.events.slice(0, version)) {
      this.reducer.apply(state, this.reducer.parse(event.op));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ version, state: state.toJSON(), hash: this.httpHash ?? await state.hash() }));
  }
}

// ------------------------------------------------------------------------------------------------
// Helpers

const OTHER = { id: 'other', name: 'Other' };
const FAST = { reconnect: { minMs: 10, maxMs: 40, overloadedMinMs: 400, overloadedMaxMs: 800, stableMs: 60_000 },
  retry: { minMs: 10, maxMs: 40 } };

async function waitFor(condition, message = 'condition', timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error('timed out waiting for ' + message);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function record(client, ...types) {
  const events = [];
  for (const type of types) {
    client.on(type, (event) => events.push({ type, ...event }));
  }
  return events;
}

function rect(id, x = 0, y = 0) {
  return { kind: 'create_shape', shape: { id, type: 'rect', x, y } };
}

function jwt(claims) {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return enc({ alg: 'none' }) + '.' + enc(claims) + '.sig';
}

/** A server and a guest client (already joined to `room` when given); closed after the test. */
async function setup(t, { room = 'r', client: options = {} } = {}) {
  const server = await new FakeServer().start();
  const client = new FlowStateClient({ url: server.url, WebSocket, guest: 'me', name: 'Me', ...FAST, ...options });
  t.after(async () => {
    client.close();
    await server.stop();
  });
  if (room) {
    await client.join(room);
  }
  return { server, client };
}

/** A test with a deadline, so that a missed event fails the test instead of hanging the run. */
function it(name, fn) {
  return test(name, { timeout: 5000 }, fn);
}

function shapeIds(client, room = 'r') {
  return client.state(room).ids();
}

// ------------------------------------------------------------------------------------------------
// Tests

describe('the FlowState client', { timeout: 20_000 }, () => {
  it('derives WebSocket and HTTP endpoints and reads token expiry', () => {
    assert.deepEqual(endpoints('http://h:8080'), { ws: 'ws://h:8080/v1/ws', http: 'http://h:8080' });
    assert.deepEqual(endpoints('https://h/base/'), { ws: 'wss://h/base/v1/ws', http: 'https://h/base' });
    assert.deepEqual(endpoints('ws://h:1/v1/ws'), { ws: 'ws://h:1/v1/ws', http: 'http://h:1' });
    assert.equal(tokenExpiry(jwt({ sub: 'u', exp: 1700000000 })), 1700000000000);
    assert.equal(tokenExpiry('not a jwt'), undefined);
    for (let attempt = 0; attempt < 10; attempt++) {
      const d = backoff(attempt, 100, 1000);
      const cap = Math.min(1000, 100 * 2 ** attempt);
      assert.ok(d >= cap / 2 && d <= cap, `attempt ${attempt}: ${d}`);
    }
  });

  it('joins with a snapshot, verifies its hash and applies live events', async (t) => {
    const server = await new FakeServer().start();
    server.commit('r', OTHER, 'o1', rect('a'));
    server.commit('r', OTHER, 'o2', rect('b'));
    const client = new FlowStateClient({ url: server.url, WebSocket, guest: 'me', ...FAST });
    t.after(async () => {
      client.close();
      await server.stop();
    });
    const events = record(client, 'status', 'joined', 'state', 'error', 'members');
    const joined = await client.join('r');
    assert.equal(joined.version, 2);
    assert.equal(joined.role, 'editor');
    assert.equal(client.user.id, 'guest-me');
    assert.deepEqual(shapeIds(client), ['a', 'b']);
    assert.equal(server.frames('join')[0].since, undefined, 'a first join asks for a snapshot');
    assert.deepEqual(events.filter((e) => e.type === 'status').map((e) => e.status), ['connecting', 'connected']);

    server.commit('r', OTHER, 'o3', { kind: 'move_shape', id: 'a', x: 5, y: 6 });
    await waitFor(() => client.version('r') === 3, 'version 3');
    assert.deepEqual(client.state('r').get('a'), { id: 'a', type: 'rect', x: 5, y: 6 });
    assert.equal(await client.state('r').hash(), await server.room('r').state.hash());
    await waitFor(() => events.some((e) => e.type === 'members'), 'members');
    assert.equal(events.filter((e) => e.type === 'error').length, 0, 'the snapshot hash matched');
    assert.deepEqual(await client.verify('r'), {
      ok: true, version: 3, localHash: await server.room('r').state.hash(), serverHash: await server.room('r').state.hash(),
    });
  });

  it('reports a snapshot whose hash differs, and a verify() that does not match the server', async (t) => {
    const server = await new FakeServer().start();
    server.commit('r', OTHER, 'o1', rect('a'));
    server.snapshotHash = '0'.repeat(64);
    const client = new FlowStateClient({ url: server.url, WebSocket, ...FAST });
    t.after(async () => {
      client.close();
      await server.stop();
    });
    const errors = record(client, 'error');
    await client.join('r');
    await waitFor(() => errors.length === 1, 'hash_mismatch');
    assert.equal(errors[0].code, 'hash_mismatch');
    assert.equal(errors[0].serverHash, '0'.repeat(64));

    server.httpHash = 'f'.repeat(64);
    const result = await client.verify('r');
    assert.equal(result.ok, false);
    assert.equal(result.serverHash, 'f'.repeat(64));
    assert.equal(errors.length, 2);
  });

  it('rebases pending ops on every committed event, drops an own op on its event or error', async (t) => {
    const { server, client } = await setup(t);
    const held = [];
    server.intercept = (conn, frame) => frame.type === 'op' && frame.op.kind !== 'delete_shape' && held.push({ conn, frame });
    const states = record(client, 'state', 'error');

    const s1 = client.submit('r', rect('s1', 1, 1));
    assert.deepEqual(shapeIds(client), ['s1'], 'applied optimistically at once');
    assert.equal(states.at(-1).optimistic, true);
    assert.equal(states.at(-1).pending, 1);
    await waitFor(() => held.length === 1, 'the op reached the server');
    assert.equal(held[0].frame.id, s1.id);
    assert.match(s1.id, /^[0-9a-f-]{36}$/);

    server.commit('r', OTHER, 'o1', rect('s0'));
    await waitFor(() => client.version('r') === 1, 'the other user\'s op');
    assert.deepEqual(shapeIds(client), ['s0', 's1'], 'server state + pending op');
    const move = client.submit('r', { kind: 'move_shape', id: 's0', x: 9, y: 9 });
    server.commit('r', OTHER, 'o2', { kind: 'move_shape', id: 's0', x: 5, y: 5 });
    await waitFor(() => client.version('r') === 2, 'version 2');
    assert.equal(client.state('r').get('s0').x, 9, 'the pending move is re-applied over the newer server state');
    assert.equal(client.pendingCount, 2);

    // The server commits the held ops in order: each own event removes its op from the queue.
    await waitFor(() => held.length === 2, 'the move reached the server');
    for (const { conn, frame } of held.splice(0)) {
      server.handle(conn, frame);
    }
    const [r1, r2] = await Promise.all([s1.committed, move.committed]);
    assert.deepEqual([r1.version, r2.version], [3, 4]);
    assert.equal(client.pendingCount, 0);
    assert.equal(states.at(-1).optimistic, false);
    assert.equal(await client.state('r').hash(), await server.room('r').state.hash());

    // An error for a pending op drops it and emits an event; the state goes back to the server's.
    server.intercept = null;
    const bad = client.submit('r', { kind: 'delete_shape', id: 'ghost' });
    const error = await bad.committed.then(() => null, (e) => e);
    assert.ok(error instanceof FlowStateError);
    assert.equal(error.code, 'not_found');
    assert.equal(error.id, bad.id);
    const event = states.find((e) => e.type === 'error');
    assert.equal(event.code, 'not_found');
    assert.equal(event.id, bad.id);
    assert.deepEqual(event.op, { kind: 'delete_shape', id: 'ghost' });
    assert.equal(client.pendingCount, 0);

    const conflict = client.submit('r', rect('s1', 7, 7));
    assert.equal(client.state('r').get('s1').x, 1, 'an op that fails locally is skipped in the view');
    assert.equal((await conflict.committed.catch((e) => e)).code, 'conflict');
  });

  it('refuses a malformed op at once, without sending it', async (t) => {
    const { server, client } = await setup(t);
    assert.throws(() => client.submit('r', { kind: 'move_shape', id: 's', x: 'far', y: 0 }), { code: 'invalid_op' });
    assert.throws(() => client.submit('nowhere', rect('a')), { code: 'not_joined' });
    assert.equal(client.pendingCount, 0);
    assert.equal(server.frames('op').length, 0);
  });

  it('retries an op with the same id after unavailable', async (t) => {
    const { server, client } = await setup(t);
    let refusals = 0;
    server.intercept = (conn, frame) => {
      if (frame.type === 'op' && refusals < 2) {
        refusals++;
        conn.send({ type: 'error', code: 'unavailable', message: 'ordering service did not answer', rid: frame.rid,
          room: frame.room, id: frame.id });
        return true;
      }
      return false;
    };
    const { id, committed } = client.submit('r', rect('a'));
    const result = await committed;
    assert.equal(result.version, 1);
    assert.deepEqual(server.frames('op').map((f) => f.id), [id, id, id]);
    assert.equal(new Set(server.frames('op').map((f) => f.rid)).size, 3, 'each attempt has its own rid');
    assert.equal(server.room('r').version, 1);
  });

  it('a duplicate ack that overtakes the event keeps the op pending until its event arrives', async (t) => {
    const { server, client } = await setup(t);
    let first = null;
    let event = null;
    server.intercept = (conn, frame) => {
      if (frame.type !== 'op') {
        return false;
      }
      if (!first) {
        // The gateway gave up on the first attempt; the commit is still on its way.
        first = frame;
        conn.send({ type: 'error', code: 'unavailable', message: 'timeout', rid: frame.rid, room: 'r', id: frame.id });
        return true;
      }
      // The retry: the first attempt's commit lands, and its ack overtakes its event.
      event = server.commit('r', conn.user, first.id, first.op, { mute: conn });
      conn.send({ type: 'ack', room: 'r', id: frame.id, version: event.version, duplicate: true, rid: frame.rid });
      conn.send({ type: 'chat', room: 'r', user: OTHER, text: 'after the ack', action: false, at: '' });
      return true;
    };
    const seen = [];
    client.on('state', (e) => seen.push(e.state.has('a')));
    const chats = record(client, 'chat');
    const { id, committed } = client.submit('r', rect('a'));
    await waitFor(() => chats.length === 1, 'the ack (and the chat line behind it)');
    assert.equal(client.pendingCount, 1, 'acked at a version not yet applied: still pending');
    assert.deepEqual(shapeIds(client), ['a'], 'and still shown');
    server.last.send(event);
    const result = await committed;
    assert.deepEqual(result, { id, version: 1, duplicate: false, event: result.event });
    assert.deepEqual(server.frames('op').map((f) => f.id), [id, id]);
    assert.ok(seen.length >= 2 && seen.every(Boolean), 'the shape never disappeared');
    assert.equal(client.pendingCount, 0);
    assert.equal(server.room('r').version, 1, 'committed once');
  });

  it('reconnects after the server drops the socket and resumes with since', async (t) => {
    const { server, client } = await setup(t);
    const statuses = record(client, 'status');
    server.commit('r', OTHER, 'o1', rect('a'));
    server.commit('r', OTHER, 'o2', rect('b'));
    await waitFor(() => client.version('r') === 2, 'version 2');

    server.last.ws.terminate();
    await waitFor(() => client.status === 'reconnecting', 'reconnecting');
    server.commit('r', OTHER, 'o3', rect('c'));
    const offline = client.submit('r', rect('mine'));
    assert.deepEqual(shapeIds(client), ['a', 'b', 'mine'], 'offline ops apply locally');

    await offline.committed;
    assert.equal(server.conns.length, 2);
    const rejoin = server.frames('join', server.conns[1]);
    assert.equal(rejoin.length, 1);
    assert.equal(rejoin[0].since, 2, 'resumes from the last applied version');
    assert.equal(client.version('r'), 4);
    assert.deepEqual(shapeIds(client), ['a', 'b', 'c', 'mine']);
    const sequence = statuses.map((e) => e.status);
    assert.deepEqual(sequence.filter((s, i) => s !== sequence[i - 1]), ['reconnecting', 'connected']);
    assert.equal(statuses.find((e) => e.status === 'reconnecting' && e.code).code, 1006);
    assert.ok(statuses.some((e) => e.pending === 1), 'status reports the pending count');
  });

  it('an op whose event was lost with the socket is resolved by the catch-up, not sent again', async (t) => {
    const { server, client } = await setup(t);
    server.intercept = (conn, frame) => {
      if (frame.type === 'op') {
        server.commit('r', conn.user, frame.id, frame.op, { mute: conn });
        conn.ws.terminate();
        return true;
      }
      return false;
    };
    const { id, committed } = client.submit('r', rect('a'));
    const result = await committed;
    assert.equal(result.version, 1);
    assert.equal(result.duplicate, false);
    assert.deepEqual(server.frames('op').map((f) => f.id), [id]);
    assert.equal(server.frames('join', server.conns[1])[0].since, 0);
  });

  it('after a snapshot rejoin, a re-sent committed op is settled by its duplicate ack', async (t) => {
    const { server, client } = await setup(t);
    server.catchUp = false;
    server.intercept = (conn, frame) => {
      if (frame.type === 'op' && server.frames('op').length === 1) {
        server.commit('r', conn.user, frame.id, frame.op, { mute: conn });
        server.commit('r', OTHER, 'o1', rect('other'));
        conn.ws.terminate();
        return true;
      }
      return false;
    };
    const { id, committed } = client.submit('r', rect('a'));
    const result = await committed;
    assert.deepEqual(result, { id, version: 1, duplicate: true });
    assert.deepEqual(server.frames('op').map((f) => f.id), [id, id]);
    assert.equal(client.version('r'), 2);
    assert.deepEqual(shapeIds(client), ['a', 'other']);
    assert.equal(await client.state('r').hash(), await server.room('r').state.hash());
  });

  it('after a snapshot re-join on the same connection, sends pending ops again to learn their fate', async (t) => {
    const { server, client } = await setup(t);
    server.catchUp = false;
    server.intercept = (conn, frame) => {
      if (frame.type === 'op' && server.frames('op').length === 1) {
        server.commit('r', conn.user, frame.id, frame.op, { mute: conn }); // its event is lost to us
        conn.rooms.delete('r');
        conn.send({ type: 'resync', room: 'r', from: 1 });
        return true;
      }
      return false;
    };
    const { id, committed } = client.submit('r', rect('a'));
    assert.deepEqual(await committed, { id, version: 1, duplicate: true });
    assert.deepEqual(server.frames('op').map((f) => f.id), [id, id]);
    assert.equal(server.conns.length, 1);
    assert.equal(client.pendingCount, 0);
  });

  it('handles resync by joining again with since', async (t) => {
    const { server, client } = await setup(t);
    server.commit('r', OTHER, 'o1', rect('a'));
    await waitFor(() => client.version('r') === 1, 'version 1');
    const conn = server.last;
    conn.rooms.delete('r'); // the server stops streaming the room to this client
    server.commit('r', OTHER, 'o2', rect('b'));
    server.commit('r', OTHER, 'o3', rect('c'));
    conn.send({ type: 'resync', room: 'r', from: 2 });
    await waitFor(() => client.version('r') === 3, 'caught up');
    const joins = server.frames('join', conn);
    assert.equal(joins.length, 2);
    assert.equal(joins[1].since, 1);
    assert.deepEqual(shapeIds(client), ['a', 'b', 'c']);
    assert.equal(server.conns.length, 1, 'same connection');
  });

  it('throttles presence to the configured rate, always sending the latest state', async (t) => {
    const { server, client } = await setup(t, { client: { presenceRate: 20 } });
    for (let i = 0; i < 100; i++) {
      client.presence('r', { x: i });
    }
    await waitFor(() => server.frames('presence').some((f) => f.state.x === 99), 'the latest state');
    assert.deepEqual(server.frames('presence').map((f) => f.state.x), [0, 99], 'coalesced');

    // A steady stream for 400 ms: at most one frame per 50 ms, plus the one that starts it.
    const before = server.received.length;
    const times = [];
    server.intercept = (conn, frame) => frame.type === 'presence' && times.push(Date.now()) && false;
    const start = Date.now();
    let i = 0;
    while (Date.now() - start < 400) {
      client.presence('r', { y: i++ });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await waitFor(() => server.frames('presence').some((f) => f.state.y === i - 1), 'the last state');
    const sent = server.received.slice(before).filter((r) => r.frame.type === 'presence').length;
    assert.ok(i > 50, `driver produced ${i} updates`);
    assert.ok(sent <= 11, `${sent} presence frames for 400 ms at 20/s`);
    for (let k = 1; k < times.length; k++) {
      assert.ok(times[k] - times[k - 1] >= 25, `gap ${times[k] - times[k - 1]} ms`);
    }
  });

  it('emits presence, presence_left, members and chat from the server', async (t) => {
    const { server, client } = await setup(t);
    const events = record(client, 'presence', 'presence_left', 'chat', 'members');
    const conn = server.last;
    conn.send({ type: 'presence', room: 'r', user: OTHER, state: { cursor: [1, 2] } });
    conn.send({ type: 'presence_left', room: 'r', user: OTHER });
    conn.send({ type: 'members', room: 'r', users: [conn.user, OTHER] });
    client.chat('r', 'hello');
    await waitFor(() => events.some((e) => e.type === 'chat'), 'chat');
    assert.deepEqual(events.find((e) => e.type === 'presence'), { type: 'presence', room: 'r', user: OTHER, state: { cursor: [1, 2] } });
    assert.ok(events.some((e) => e.type === 'presence_left' && e.user.id === 'other'));
    assert.equal(events.find((e) => e.type === 'chat').text, 'hello');
    assert.deepEqual(events.find((e) => e.type === 'members').users.map((u) => u.id), ['guest-me', 'other']);
    assert.deepEqual(client.members('r').map((u) => u.id), ['guest-me', 'other']);
  });

  it('on 1008 emits auth_expired and waits for a new token before reconnecting', async (t) => {
    const server = await new FakeServer().start();
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const client = new FlowStateClient({ url: server.url, WebSocket, token: jwt({ sub: 'u1', exp }), ...FAST });
    t.after(async () => {
      client.close();
      await server.stop();
    });
    const events = record(client, 'auth_expired', 'status');
    await client.join('r');
    assert.equal(server.last.params.get('access_token').split('.').length, 3);
    assert.equal(server.last.params.get('guest'), null);

    server.last.ws.close(1008, 'access token expired; reconnect with a new token');
    await waitFor(() => events.some((e) => e.type === 'auth_expired'), 'auth_expired');
    assert.equal(events.find((e) => e.type === 'auth_expired').code, 1008);
    assert.equal(client.status, 'offline');
    const pending = client.submit('r', rect('a'));
    // Five times the longest reconnect delay: a blind reconnect would have happened by now.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(server.conns.length, 1, 'no reconnect without a new token');

    const fresh = jwt({ sub: 'u1', exp: exp + 60, n: 2 });
    await client.setToken(fresh);
    await pending.committed;
    assert.equal(server.conns.length, 2);
    assert.equal(server.last.params.get('access_token'), fresh);
    assert.equal(server.frames('join', server.last)[0].since, 0);
  });

  it('refreshes the token on a live connection and warns before it expires', async (t) => {
    const server = await new FakeServer().start();
    const exp = Math.floor(Date.now() / 1000) + 100;
    const client = new FlowStateClient({ url: server.url, WebSocket, token: jwt({ sub: 'u1', exp }), ...FAST,
      tokenRefreshLeadMs: 99_800 });
    t.after(async () => {
      client.close();
      await server.stop();
    });
    const events = record(client, 'token_expiring', 'refreshed');
    await client.connect();
    await waitFor(() => events.some((e) => e.type === 'token_expiring'), 'token_expiring');
    assert.equal(events[0].expiresAt, new Date(exp * 1000).toISOString());

    const fresh = jwt({ sub: 'u1', exp: exp + 900 });
    const reply = await client.setToken(fresh);
    assert.deepEqual(reply, { expiresAt: new Date((exp + 900) * 1000).toISOString() });
    assert.deepEqual(server.frames('refresh').map((f) => f.token), [fresh]);
    assert.equal(server.conns.length, 1, 'the connection stays');
  });

  it('does not connect with a token that has already expired', async (t) => {
    const server = await new FakeServer().start();
    const client = new FlowStateClient({ url: server.url, WebSocket, token: jwt({ sub: 'u1', exp: 1000 }), ...FAST });
    t.after(async () => {
      client.close();
      await server.stop();
    });
    const expired = record(client, 'auth_expired');
    await assert.rejects(client.connect(), { code: 'auth_expired' });
    assert.equal(expired.length, 1);
    assert.equal(server.conns.length, 0);
  });

  it('backs off longer after 4029 and 1013 than after 1001 or 1006', async (t) => {
    const { server, client } = await setup(t);
    const statuses = record(client, 'status');
    const delayAfter = async (code) => {
      const n = server.conns.length;
      if (code === 1006) {
        server.last.ws.terminate(); // no close frame: the client sees 1006
      } else {
        server.last.ws.close(code, 'test');
      }
      await waitFor(() => server.conns.length === n + 1 && client.status === 'connected', 'reconnected after ' + code);
      return statuses.filter((e) => e.status === 'reconnecting' && e.code === code).at(-1).retryInMs;
    };
    assert.ok(await delayAfter(1001) <= 10, 'draining: reconnect at once (elsewhere)');
    assert.ok(await delayAfter(4029) >= 200, 'too many connections: long backoff');
    assert.ok(await delayAfter(1013) >= 200, 'overloaded: long backoff');
    const d = await delayAfter(1006);
    assert.ok(d <= 40, `abnormal closure: normal backoff, got ${d}`);
    const rejoin = await waitFor(() => server.frames('join', server.last)[0], 'the re-join');
    assert.equal(rejoin.since, 0);
  });

  it('after 1009 drops the op whose frame was too large and goes on', async (t) => {
    const { server, client } = await setup(t);
    server.intercept = (conn, frame) => {
      if (frame.type === 'op' && JSON.stringify(frame).length > 2000) {
        conn.ws.close(1009, 'message too big');
        return true;
      }
      return false;
    };
    const errors = record(client, 'error');
    const big = client.submit('r', { kind: 'create_shape', shape: { id: 'big', type: 'text', x: 0, y: 0, text: 'x'.repeat(5000) } });
    assert.equal((await big.committed.catch((e) => e)).code, 'too_large');
    assert.equal(errors[0].id, big.id);
    await client.submit('r', rect('small')).committed;
    assert.deepEqual(shapeIds(client), ['small']);
  });

  it('undo and redo resolve by their op event, or fail with nothing_to_undo', async (t) => {
    const { server, client } = await setup(t);
    await client.submit('r', rect('a')).committed;
    server.intercept = (conn, frame) => {
      if (frame.type === 'undo' && server.frames('undo').length === 1) {
        server.commit('r', conn.user, frame.id, { kind: 'delete_shape', id: 'a' }, { extra: { undoOf: 1 } });
        return true;
      }
      return false;
    };
    const undo = client.undo('r');
    const result = await undo.committed;
    assert.equal(result.event.undoOf, 1);
    assert.equal(result.id, undo.id);
    assert.deepEqual(shapeIds(client), []);
    assert.deepEqual(server.frames('undo').map((f) => f.id), [undo.id]);

    const errors = record(client, 'error');
    const again = client.undo('r');
    assert.equal((await again.committed.catch((e) => e)).code, 'nothing_to_undo');
    assert.equal(errors[0].code, 'nothing_to_undo');
    assert.equal((await client.redo('r').committed.catch((e) => e)).code, 'nothing_to_redo');
  });

  it('follows role changes and a server-side left that ends the room', async (t) => {
    const { server, client } = await setup(t);
    const events = record(client, 'role', 'left');
    server.intercept = (conn, frame) => frame.type === 'op';
    const pending = client.submit('r', rect('a'));
    await waitFor(() => server.frames('op').length === 1, 'op sent');
    server.last.send({ type: 'role', room: 'r', role: 'viewer' });
    await waitFor(() => client.role('r') === 'viewer', 'role');
    server.last.send({ type: 'left', room: 'r', code: 'forbidden', message: 'removed from the workspace' });
    const error = await pending.committed.catch((e) => e);
    assert.equal(error.code, 'forbidden');
    assert.deepEqual(events.map((e) => [e.type, e.role ?? e.code]), [['role', 'viewer'], ['left', 'forbidden']]);
    assert.equal(client.state('r'), null);
    assert.throws(() => client.submit('r', rect('b')), { code: 'not_joined' });
  });

  it('leave() ends the room and the server answers left', async (t) => {
    const { server, client } = await setup(t);
    await client.leave('r');
    assert.deepEqual(server.frames('leave').map((f) => f.room), ['r']);
    assert.equal(client.state('r'), null);
  });

  it('a join refused by the server rejects, and unavailable joins are retried', async (t) => {
    const { server, client } = await setup(t, { room: null });
    let refusals = 0;
    server.intercept = (conn, frame) => {
      if (frame.type === 'join' && frame.room === 'secret') {
        conn.send({ type: 'error', code: 'forbidden', message: 'no role', rid: frame.rid, room: frame.room });
        return true;
      }
      if (frame.type === 'join' && frame.room === 'flaky' && refusals++ === 0) {
        conn.send({ type: 'error', code: 'unavailable', message: 'retry', rid: frame.rid, room: frame.room });
        return true;
      }
      return false;
    };
    await assert.rejects(client.join('secret'), { code: 'forbidden', room: 'secret' });
    const joined = await client.join('flaky');
    assert.equal(joined.room, 'flaky');
    assert.equal(server.frames('join').filter((f) => f.room === 'flaky').length, 2);
  });

  it('stale states throw instead of mixing versions', async (t) => {
    const { server, client } = await setup(t);
    const before = client.state('r');
    const kept = before.toJSON();
    server.commit('r', OTHER, 'o1', rect('a'));
    await waitFor(() => client.version('r') === 1, 'version 1');
    assert.throws(() => before.ids(), { code: 'stale_state' });
    assert.deepEqual(kept, { shapes: [] });
    assert.deepEqual(shapeIds(client), ['a']);
  });
});
