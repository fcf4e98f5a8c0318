// FlowState JavaScript client SDK: one WebSocket connection to a FlowState gateway, any number of
// joined rooms, optimistic local state with a pending-op queue, automatic reconnect and resume.
// Plain ES module, no dependencies; browsers and Node >= 20 (pass a WebSocket constructor, e.g.
// the `ws` package, where globalThis.WebSocket is missing). The wire contract is PROTOCOL.md; the
// server's choices where it is silent are docs/PROTOCOL.md. Usage: README.md beside this file.

import {
  CanvasState, DEFAULT_LIMITS, EMPTY_HASH, FlowStateError, REPLAY_LIMITS, Reducer, sha256Hex,
} from './reducer.js';

export {
  CanvasState, DEFAULT_LIMITS, EMPTY_HASH, FlowStateError, REPLAY_LIMITS, Reducer, sha256Hex,
} from './reducer.js';
export { canonicalize, compareCodePoints, hashShapes } from './reducer.js';

const DEFAULTS = Object.freeze({
  presenceRate: 20,
  ackTimeoutMs: 15_000,
  connectTimeoutMs: 15_000,
  tokenRefreshLeadMs: 60_000,
  clockSkewMs: 30_000,
  verifySnapshots: true,
  reconnect: Object.freeze({ minMs: 250, maxMs: 10_000, overloadedMinMs: 5_000, overloadedMaxMs: 60_000,
    stableMs: 10_000 }),
  retry: Object.freeze({ minMs: 250, maxMs: 5_000 }),
});

const OPEN = 1;
const RETRY_CODES = new Set(['unavailable', 'rate_limited']);
const JOIN_RETRY_CODES = new Set(['unavailable', 'rate_limited', 'internal']);

/** A tiny event emitter: `on` returns an unsubscribe function; a throwing listener is reported, not swallowed. */
export class Emitter {
  #listeners = new Map();

  on(type, listener) {
    if (!this.#listeners.has(type)) {
      this.#listeners.set(type, new Set());
    }
    this.#listeners.get(type).add(listener);
    return () => this.off(type, listener);
  }

  once(type, listener) {
    const off = this.on(type, (event) => {
      off();
      listener(event);
    });
    return off;
  }

  off(type, listener) {
    this.#listeners.get(type)?.delete(listener);
  }

  emit(type, event) {
    const set = this.#listeners.get(type);
    if (!set) {
      return;
    }
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch (e) {
        // The client's own state is already consistent; surface the app's bug asynchronously.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}

/** A promise whose rejection is never reported as unhandled (callers may ignore it). */
function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** Jittered exponential backoff: a random delay in [d/2, d], d = min(max, min * 2^attempt). */
export function backoff(attempt, minMs, maxMs, random = Math.random) {
  const d = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(d / 2 + (d / 2) * random());
}

/** The WebSocket and HTTP base URLs for a server URL (http(s)://host[/prefix] or ws(s)://host/v1/ws). */
export function endpoints(url) {
  const base = globalThis.location ? globalThis.location.href : undefined;
  const u = new URL(url, base);
  let path = u.pathname.replace(/\/+$/, '');
  const secure = u.protocol === 'https:' || u.protocol === 'wss:';
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) {
    throw new TypeError('url must be http(s):// or ws(s)://, got ' + url);
  }
  if (path.endsWith('/v1/ws')) {
    path = path.slice(0, -'/v1/ws'.length);
  }
  return {
    ws: (secure ? 'wss://' : 'ws://') + u.host + path + '/v1/ws',
    http: (secure ? 'https://' : 'http://') + u.host + path,
  };
}

/** The `exp` claim of a JWT in milliseconds, or undefined when it cannot be read. */
export function tokenExpiry(token) {
  try {
    const part = String(token).split('.')[1];
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((part.length + 3) % 4);
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const exp = JSON.parse(new TextDecoder().decode(bytes)).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

function validId(id) {
  return typeof id === 'string' && id.length >= 1 && id.length <= 64;
}

/**
 * A FlowState client. Events (subscribe with `on(type, listener)`):
 * `status` {status: connecting|connected|reconnecting|offline, pending, code?, reason?, retryInMs?},
 * `joined` {room, role, version, members, snapshot}, `state` {room, state, version, optimistic, pending},
 * `op` {room, event, own}, `members` {room, users}, `presence` {room, user, state},
 * `presence_left` {room, user}, `chat` {room, user, text, action, at}, `role` {room, role},
 * `left` {room, code?, message?}, `error` {code, message, room?, id?, op?},
 * `auth_expired` {code, reason}, `token_expiring` {expiresAt, inMs}, `refreshed` {expiresAt}.
 */
export class FlowStateClient extends Emitter {
  #opts;
  #urls;
  #WebSocket;
  #fetch;
  #token;
  #guest;
  #name;
  #reducer;
  #replay = new Reducer(REPLAY_LIMITS);

  #ws = null;
  #gen = 0;
  #status = 'offline';
  #statusKey = '';
  #user = null;
  #session = null;
  #wanted = false;
  #authExpired = false;
  #everConnected = false;
  #attempt = 0;
  #connectedAt = 0;
  #reconnectTimer = null;
  #connectTimer = null;
  #tokenTimer = null;
  #rooms = new Map();
  #requests = new Map();
  #ridSeq = 0;
  #connectWaiters = [];
  #onlineListener = null;

  /**
   * @param {object} options
   * @param {string} [options.url] server base URL (http(s)://host:port) or ws(s)://host/v1/ws;
   *   defaults to the page's origin in a browser
   * @param {string} [options.token] access token (JWT), sent as `access_token`
   * @param {string|boolean} [options.guest] dev-mode guest id (A-Z a-z 0-9 _ -); without a token a
   *   random one is made and kept for the client's life, so retries stay idempotent; false: none
   * @param {string} [options.name] guest display name
   * @param {Function} [options.WebSocket] WebSocket constructor (default globalThis.WebSocket)
   * @param {Function} [options.fetch] fetch implementation for `verify` (default globalThis.fetch)
   * @param {number} [options.presenceRate] presence frames per second and room, at most (default 20)
   * @param {object} [options.limits] canvas limits for local validation (default: the server defaults)
   */
  constructor(options = {}) {
    super();
    this.#opts = {
      ...DEFAULTS,
      ...options,
      reconnect: { ...DEFAULTS.reconnect, ...options.reconnect },
      retry: { ...DEFAULTS.retry, ...options.retry },
    };
    this.#urls = endpoints(options.url ?? (globalThis.location ? globalThis.location.origin : 'http://localhost:8080'));
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    this.#fetch = options.fetch ?? (globalThis.fetch ? globalThis.fetch.bind(globalThis) : undefined);
    this.#token = options.token ?? null;
    this.#guest = options.token || options.guest === false ? null
      : (typeof options.guest === 'string' ? options.guest : globalThis.crypto.randomUUID());
    this.#name = options.name ?? null;
    this.#reducer = new Reducer({ ...DEFAULT_LIMITS, ...options.limits });
  }

  // ----------------------------------------------------------------------------------------------
  // Public API

  /** `connecting`, `connected`, `reconnecting` or `offline`. */
  get status() {
    return this.#status;
  }

  /** The user from `welcome` ({id, name, color}), or null before the first connection. */
  get user() {
    return this.#user;
  }

  get session() {
    return this.#session;
  }

  /** Ops, undos and redos not yet confirmed by the server, over all rooms. */
  get pendingCount() {
    let n = 0;
    for (const r of this.#rooms.values()) {
      n += r.pending.length;
    }
    return n;
  }

  /** Opens the connection (and keeps it open); resolves once connected (`welcome`). */
  connect() {
    this.#wanted = true;
    if (this.#status === 'connected') {
      return Promise.resolve();
    }
    const waiter = deferred();
    this.#connectWaiters.push(waiter);
    this.#listenOnline();
    if (this.#authExpired) {
      waiter.reject(new FlowStateError('auth_expired', 'the access token expired; call setToken()'));
    } else if (!this.#ws && !this.#reconnectTimer) {
      this.#open();
    }
    return waiter.promise;
  }

  /** Closes the connection and stops reconnecting. Rooms and pending ops are kept for `connect()`. */
  close() {
    this.#wanted = false;
    this.#clearConnectionTimers();
    clearTimeout(this.#tokenTimer);
    this.#tokenTimer = null;
    if (this.#onlineListener) {
      globalThis.removeEventListener?.('online', this.#onlineListener);
      this.#onlineListener = null;
    }
    const ws = this.#ws;
    if (ws) {
      this.#detach(ws);
      try {
        ws.close(1000, 'client closed');
      } catch {
        // already closing
      }
    }
    this.#connectionLost();
    this.#rejectConnectWaiters(new FlowStateError('closed', 'the client was closed'));
    this.#setStatus('offline');
  }

  /**
   * Joins `room` (connecting if needed); resolves with {room, role, version, members} at the first
   * `joined`. The client re-joins by itself after every reconnect, resuming with `since`.
   */
  join(room) {
    if (typeof room !== 'string' || room.length < 1) {
      // The upper bound is the server's (FLOWSTATE_MAX_ROOM_ID_LENGTH): it refuses with bad_request.
      throw new FlowStateError('bad_request', 'room must be a non-empty string');
    }
    let r = this.#rooms.get(room);
    if (!r) {
      r = this.#newRoom(room);
      this.#rooms.set(room, r);
    }
    if (r.phase === 'joined') {
      return Promise.resolve(this.#joinInfo(r));
    }
    const waiter = deferred();
    r.waiters.push(waiter);
    if (!this.#wanted) {
      this.connect();
    } else if (this.#status === 'connected' && r.phase !== 'joining') {
      this.#sendJoin(r);
    }
    return waiter.promise;
  }

  /** Leaves `room`: its pending ops are dropped (their promises reject with `left`). */
  leave(room) {
    const r = this.#rooms.get(room);
    if (!r) {
      return Promise.resolve();
    }
    this.#removeRoom(r, new FlowStateError('left', 'the room was left', { room }));
    if (this.#status !== 'connected' || r.phase === 'idle') {
      return Promise.resolve();
    }
    const rid = this.#rid('leave');
    const waiter = deferred();
    this.#requests.set(rid, { kind: 'leave', room, waiter });
    this.#send({ type: 'leave', room, rid });
    return waiter.promise;
  }

  /**
   * Submits a canvas op: validated locally (throws FlowStateError at once if malformed), applied
   * optimistically, sent now or after (re)joining, retried with the same id when needed.
   * Returns {id, committed}: `committed` resolves with {id, version, duplicate, event?} when the
   * server committed it, and rejects with a FlowStateError when the server refused it.
   */
  submit(room, op, { id } = {}) {
    const r = this.#requireRoom(room);
    const text = JSON.stringify(op);
    if (text === undefined) {
      throw new FlowStateError('invalid_op', 'an op must be a JSON object');
    }
    const json = JSON.parse(text);
    const parsed = this.#reducer.parse(json);
    const opId = id ?? globalThis.crypto.randomUUID();
    if (!validId(opId)) {
      throw new FlowStateError('bad_request', 'an op id must be a string of 1 to 64 characters');
    }
    const p = this.#newPending('op', opId, parsed, json);
    r.pending.push(p);
    this.#rebase(r);
    this.#emitState(r);
    this.#emitStatus();
    this.#flush(r);
    return { id: opId, committed: p.waiter.promise };
  }

  /** Asks the server to undo the caller's latest op in `room`; returns {id, committed} like `submit`. */
  undo(room, { id } = {}) {
    return this.#submitHistory('undo', room, id);
  }

  /** Asks the server to redo the caller's latest undone op in `room`; returns {id, committed}. */
  redo(room, { id } = {}) {
    return this.#submitHistory('redo', room, id);
  }

  /**
   * Publishes this user's presence (cursor, selection, …; a JSON object ≤ 1 KiB) in `room`.
   * Coalesced: at most `presenceRate` frames per second, always the latest state; re-sent after a
   * reconnect.
   */
  presence(room, state) {
    const r = this.#requireRoom(room);
    r.presence.latest = state;
    r.presence.dirty = true;
    this.#schedulePresence(r);
  }

  /** Sends a chat line (slash commands allowed); queued while disconnected. */
  chat(room, text) {
    const r = this.#requireRoom(room);
    r.chats.push(String(text));
    this.#flush(r);
  }

  /**
   * The room's current state: the server's state plus the pending ops applied on top (a
   * read-only CanvasState, valid until the server state next changes), or null before `joined`.
   */
  state(room) {
    return this.#rooms.get(room)?.view ?? null;
  }

  /** The last server version applied in `room` (null before `joined`). */
  version(room) {
    return this.#rooms.get(room)?.version ?? null;
  }

  members(room) {
    return this.#rooms.get(room)?.members ?? [];
  }

  role(room) {
    return this.#rooms.get(room)?.role ?? null;
  }

  /** Pending ops of `room` in order: [{kind, id, op, committedAt}]. */
  pending(room) {
    return (this.#rooms.get(room)?.pending ?? []).map((p) => ({
      kind: p.kind, id: p.id, op: p.json, committedAt: p.committedAt,
    }));
  }

  /**
   * Compares the hash of the confirmed state (without pending ops) with the server's
   * `GET /v1/rooms/{id}/state?version=V`. Resolves {ok, version, localHash, serverHash}; a
   * mismatch also emits `error` `hash_mismatch`.
   */
  async verify(room) {
    const r = this.#rooms.get(room);
    if (!r || !r.server) {
      throw new FlowStateError('not_joined', 'the room has no state yet', { room });
    }
    const version = r.version;
    const localHash = await r.server.hash();
    let serverHash = EMPTY_HASH;
    if (version > 0) {
      if (!this.#fetch) {
        throw new FlowStateError('unavailable', 'no fetch implementation; pass options.fetch');
      }
      const headers = this.#token ? { Authorization: 'Bearer ' + this.#token } : {};
      const url = `${this.#urls.http}/v1/rooms/${encodeURIComponent(room)}/state?version=${version}`;
      const res = await this.#fetch(url, { headers });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) {
        throw new FlowStateError(body.code ?? 'internal', body.message ?? `HTTP ${res.status}`, { room });
      }
      serverHash = body.hash;
    }
    const ok = localHash === serverHash;
    if (!ok) {
      this.emit('error', { code: 'hash_mismatch', message: `state hash at version ${version} differs from the server's`,
        room, version, localHash, serverHash });
    }
    return { ok, version, localHash, serverHash };
  }

  /**
   * Supplies a new access token. Connected: sent as `refresh` (resolves {expiresAt} on
   * `refreshed`, rejects on `forbidden`). After `auth_expired`: reconnects with it. Otherwise it
   * is used for the next connection.
   */
  setToken(token) {
    this.#token = token;
    this.#guest = null;
    this.#scheduleTokenWarning();
    if (this.#authExpired) {
      this.#authExpired = false;
      if (this.#wanted) {
        this.#attempt = 0;
        this.#open();
      }
      return Promise.resolve(null);
    }
    if (this.#status !== 'connected') {
      return Promise.resolve(null);
    }
    const rid = this.#rid('refresh');
    const waiter = deferred();
    this.#requests.set(rid, { kind: 'refresh', waiter });
    this.#send({ type: 'refresh', token, rid });
    return waiter.promise;
  }

  // ----------------------------------------------------------------------------------------------
  // Connection

  #open() {
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    if (this.#token) {
      const exp = tokenExpiry(this.#token);
      if (exp !== undefined && exp + this.#opts.clockSkewMs < Date.now()) {
        this.#enterAuthExpired(1008, 'the access token expired before connecting');
        return;
      }
    }
    if (typeof this.#WebSocket !== 'function') {
      throw new Error('no WebSocket implementation: pass options.WebSocket (e.g. the ws package in Node)');
    }
    const gen = ++this.#gen;
    this.#setStatus(this.#everConnected ? 'reconnecting' : 'connecting');
    let ws;
    try {
      ws = new this.#WebSocket(this.#wsUrl());
    } catch (e) {
      this.#scheduleReconnect(1006, String(e && e.message));
      return;
    }
    this.#ws = ws;
    ws.onmessage = (event) => this.#onMessage(gen, event.data);
    ws.onclose = (event) => this.#onClose(gen, event.code, event.reason);
    ws.onerror = () => {};
    this.#connectTimer = setTimeout(() => {
      if (gen === this.#gen && this.#status !== 'connected') {
        this.#detach(ws);
        try {
          ws.close();
        } catch {
          // not open yet
        }
        this.#onClose(gen, 1006, 'connect timeout');
      }
    }, this.#opts.connectTimeoutMs);
  }

  #wsUrl() {
    const params = new URLSearchParams();
    if (this.#token) {
      params.set('access_token', this.#token);
    } else {
      if (this.#guest) {
        params.set('guest', this.#guest);
      }
      if (this.#name) {
        params.set('name', this.#name);
      }
    }
    const query = params.toString();
    return this.#urls.ws + (query ? '?' + query : '');
  }

  #detach(ws) {
    ws.onmessage = null;
    ws.onclose = null;
    ws.onerror = () => {};
    if (ws === this.#ws) {
      this.#ws = null;
    }
  }

  #onClose(gen, code, reason) {
    if (gen !== this.#gen) {
      return;
    }
    this.#ws = null;
    clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
    if (code === 1009) {
      this.#blameOversizedFrame();
    }
    this.#connectionLost();
    if (!this.#wanted) {
      this.#setStatus('offline');
      return;
    }
    if (code === 1008) {
      this.#enterAuthExpired(code, reason);
      return;
    }
    this.#scheduleReconnect(code, reason);
  }

  #scheduleReconnect(code, reason) {
    const o = this.#opts.reconnect;
    if (this.#connectedAt && Date.now() - this.#connectedAt >= o.stableMs) {
      this.#attempt = 0;
    }
    this.#connectedAt = 0;
    let delay;
    if (code === 4029 || code === 1013) {
      delay = backoff(this.#attempt, o.overloadedMinMs, o.overloadedMaxMs);
    } else if ((code === 1001 || code === 4008) && this.#attempt === 0) {
      delay = Math.round(Math.random() * o.minMs);
    } else {
      delay = backoff(this.#attempt, o.minMs, o.maxMs);
    }
    this.#attempt++;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (this.#wanted && !this.#authExpired) {
        this.#open();
      }
    }, delay);
    this.#setStatus('reconnecting', { code, reason, retryInMs: delay });
  }

  #enterAuthExpired(code, reason) {
    this.#authExpired = true;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#setStatus('offline', { code, reason });
    this.#rejectConnectWaiters(new FlowStateError('auth_expired', 'the access token expired or was revoked; '
        + 'call setToken() with a new one'));
    this.emit('auth_expired', { code, reason });
  }

  /** Per-connection state is gone: rooms wait for a re-join, every pending op is unsent. */
  #connectionLost() {
    this.#gen++;
    this.#requests.forEach((ctx) => {
      if (ctx.kind === 'refresh') {
        ctx.waiter.resolve(null);
      } else if (ctx.kind === 'leave') {
        ctx.waiter.resolve();
      }
    });
    this.#requests.clear();
    for (const r of this.#rooms.values()) {
      r.phase = 'idle';
      clearTimeout(r.retryTimer);
      r.retryTimer = null;
      clearTimeout(r.presence.timer);
      r.presence.timer = null;
      if (r.presence.latest !== undefined) {
        r.presence.dirty = true;
      }
      for (const p of r.pending) {
        p.sentGen = 0;
        clearTimeout(p.ackTimer);
      }
    }
  }

  #clearConnectionTimers() {
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
  }

  /** After 1009 the server refused a frame of ours: drop the largest op sent on that connection. */
  #blameOversizedFrame() {
    let worst = null;
    let room = null;
    for (const r of this.#rooms.values()) {
      for (const p of r.pending) {
        if (p.sentGen === this.#gen && (!worst || p.frameBytes > worst.frameBytes)) {
          worst = p;
          room = r;
        }
      }
    }
    if (worst) {
      this.#dropPending(room, worst, { code: 'too_large', message: 'the server closed the connection (1009) after '
          + 'this op: its frame is larger than the server accepts', room: room.id, id: worst.id });
    }
  }

  #rejectConnectWaiters(error) {
    const waiters = this.#connectWaiters;
    this.#connectWaiters = [];
    waiters.forEach((w) => w.reject(error));
  }

  #listenOnline() {
    if (this.#onlineListener || typeof window === 'undefined' || !globalThis.addEventListener) {
      return;
    }
    this.#onlineListener = () => {
      if (this.#reconnectTimer && this.#wanted && !this.#authExpired) {
        this.#attempt = 0;
        this.#open();
      }
    };
    globalThis.addEventListener('online', this.#onlineListener);
  }

  #setStatus(status, extra = {}) {
    this.#status = status;
    this.#emitStatus(extra, true);
  }

  #emitStatus(extra = {}, force = false) {
    const pending = this.pendingCount;
    const key = this.#status + ':' + pending;
    if (!force && key === this.#statusKey) {
      return;
    }
    this.#statusKey = key;
    this.emit('status', { status: this.#status, pending, ...extra });
  }

  #scheduleTokenWarning() {
    clearTimeout(this.#tokenTimer);
    this.#tokenTimer = null;
    const exp = this.#token ? tokenExpiry(this.#token) : undefined;
    if (exp === undefined || !this.#wanted) {
      return;
    }
    const inMs = exp - Date.now();
    this.#tokenTimer = setTimeout(() => {
      this.#tokenTimer = null;
      this.emit('token_expiring', { expiresAt: new Date(exp).toISOString(), inMs: exp - Date.now() });
    }, Math.max(0, inMs - this.#opts.tokenRefreshLeadMs));
  }

  #send(frame) {
    return this.#sendText(JSON.stringify(frame));
  }

  #sendText(text) {
    const ws = this.#ws;
    if (!ws || ws.readyState !== OPEN || this.#status !== 'connected') {
      return false;
    }
    ws.send(text);
    return true;
  }

  #rid(kind) {
    return kind[0] + (++this.#ridSeq).toString(36);
  }

  // ----------------------------------------------------------------------------------------------
  // Incoming frames

  #onMessage(gen, data) {
    if (gen !== this.#gen || typeof data !== 'string') {
      return;
    }
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      this.emit('error', { code: 'bad_frame', message: 'the server sent a frame that is not JSON' });
      return;
    }
    switch (frame.type) {
      case 'welcome':
        this.#onWelcome(frame);
        break;
      case 'joined':
        this.#onJoined(frame);
        break;
      case 'op':
        this.#onOp(frame);
        break;
      case 'ack':
        this.#onAck(frame);
        break;
      case 'error':
        this.#onError(frame);
        break;
      case 'resync':
        this.#onResync(frame);
        break;
      case 'left':
        this.#onLeft(frame);
        break;
      case 'role':
        this.#onRole(frame);
        break;
      case 'members':
        this.#onMembers(frame);
        break;
      case 'presence':
        this.emit('presence', { room: frame.room, user: frame.user, state: frame.state });
        break;
      case 'presence_left':
        this.emit('presence_left', { room: frame.room, user: frame.user });
        break;
      case 'chat':
        this.emit('chat', { room: frame.room, user: frame.user, text: frame.text, action: frame.action, at: frame.at });
        break;
      case 'refreshed':
        this.#onRefreshed(frame);
        break;
      default:
        // Unknown frame types are ignored: newer servers may add some.
    }
  }

  #onWelcome(frame) {
    clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
    this.#user = frame.user ?? null;
    this.#session = frame.session ?? null;
    this.#everConnected = true;
    this.#connectedAt = Date.now();
    this.#setStatus('connected');
    const waiters = this.#connectWaiters;
    this.#connectWaiters = [];
    waiters.forEach((w) => w.resolve());
    this.#scheduleTokenWarning();
    for (const r of this.#rooms.values()) {
      this.#sendJoin(r);
    }
  }

  #sendJoin(r) {
    const rid = this.#rid('join');
    r.phase = 'joining';
    r.joinRid = rid;
    this.#requests.set(rid, { kind: 'join', room: r.id });
    const frame = { type: 'join', room: r.id, rid };
    if (r.version !== null) {
      frame.since = r.version;
    }
    this.#send(frame);
  }

  #rejoin(r) {
    if (this.#status === 'connected' && r.phase !== 'joining') {
      this.#sendJoin(r);
    }
  }

  #onJoined(frame) {
    const r = this.#rooms.get(frame.room);
    if (frame.rid) {
      this.#requests.delete(frame.rid);
    }
    if (!r) {
      return;
    }
    r.role = frame.role ?? null;
    r.members = frame.members ?? [];
    r.joinAttempts = 0;
    const snapshot = frame.snapshot;
    if (snapshot) {
      let state;
      try {
        state = CanvasState.fromJSON(snapshot.state);
      } catch (e) {
        this.emit('error', { code: 'invalid_snapshot', message: 'the snapshot could not be read: ' + e.message, room: r.id });
        return;
      }
      r.server = state;
      r.version = snapshot.version ?? frame.version;
      for (const p of [...r.pending]) {
        if (p.committedAt !== null && p.committedAt <= r.version) {
          this.#settle(r, p, { id: p.id, version: p.committedAt, duplicate: true });
        } else {
          // A snapshot says nothing about which of our ops it holds: those already sent are sent
          // again (same id), so that each is settled by its event or by a duplicate ack.
          p.sentGen = 0;
          clearTimeout(p.ackTimer);
        }
      }
      if (this.#opts.verifySnapshots && typeof snapshot.hash === 'string') {
        const version = r.version;
        state.hash().then((hash) => {
          if (hash !== snapshot.hash) {
            this.emit('error', { code: 'hash_mismatch', message: `the snapshot of version ${version} hashes differently `
                + 'here than on the server', room: r.id, version, localHash: hash, serverHash: snapshot.hash });
          }
        });
      }
    } else {
      if (r.server === null) {
        // Ops without a base state cannot be applied: ask for a snapshot.
        r.version = null;
        this.#sendJoin(r);
        return;
      }
      for (const event of frame.ops ?? []) {
        const outcome = this.#applyEvent(r, event);
        if (outcome === 'gap' || outcome === 'diverged') {
          this.#recover(r, outcome);
          return;
        }
      }
      if (typeof frame.version === 'number' && r.version < frame.version) {
        this.#recover(r, 'gap');
        return;
      }
    }
    r.phase = 'joined';
    this.#rebase(r);
    const info = this.#joinInfo(r);
    this.emit('joined', { ...info, snapshot: Boolean(snapshot) });
    this.#emitState(r);
    this.#emitStatus();
    const waiters = r.waiters;
    r.waiters = [];
    waiters.forEach((w) => w.resolve(info));
    this.#flush(r);
  }

  #onOp(frame) {
    const r = this.#rooms.get(frame.room);
    if (!r || r.server === null) {
      return;
    }
    if (r.phase !== 'joined' && frame.version !== r.version + 1) {
      return; // the pending join's answer covers it
    }
    const outcome = this.#applyEvent(r, frame);
    if (outcome === 'ok') {
      this.#rebase(r);
      this.#emitState(r);
      this.#emitStatus();
    } else if (outcome !== 'duplicate') {
      this.#recover(r, outcome);
    }
  }

  /** Applies one committed event to the server state: ok, duplicate, gap or diverged. */
  #applyEvent(r, event) {
    if (event.version <= r.version) {
      return 'duplicate';
    }
    if (event.version !== r.version + 1) {
      return 'gap';
    }
    try {
      this.#replay.apply(r.server, this.#replay.parse(event.op));
    } catch (e) {
      this.emit('error', { code: 'diverged', message: `committed op ${event.version} does not apply to the local `
          + `state (${e.message}); reloading the room`, room: r.id, version: event.version });
      return 'diverged';
    }
    r.version = event.version;
    const own = Boolean(this.#user && event.author && event.author.id === this.#user.id);
    if (own) {
      const p = r.pending.find((q) => q.id === event.id);
      if (p) {
        this.#settle(r, p, { id: p.id, version: event.version, duplicate: false, event });
      }
    }
    this.emit('op', { room: r.id, event, own });
    return 'ok';
  }

  #recover(r, outcome) {
    if (outcome === 'diverged') {
      r.server = null;
      r.version = null;
      r.view = null;
    }
    r.phase = 'idle';
    this.#rejoin(r);
  }

  #onAck(frame) {
    if (frame.rid) {
      this.#requests.delete(frame.rid);
    }
    const r = this.#rooms.get(frame.room);
    const p = r?.pending.find((q) => q.id === frame.id);
    if (!p) {
      return;
    }
    clearTimeout(p.ackTimer);
    if (r.version !== null && frame.version <= r.version) {
      this.#settle(r, p, { id: p.id, version: frame.version, duplicate: true });
      this.#rebase(r);
      this.#emitState(r);
      this.#emitStatus();
    } else {
      p.committedAt = frame.version; // its event is still to come
    }
  }

  #onError(frame) {
    const ctx = frame.rid ? this.#requests.get(frame.rid) : undefined;
    if (ctx) {
      this.#requests.delete(frame.rid);
    }
    const room = frame.room ?? ctx?.room;
    const r = room !== undefined ? this.#rooms.get(room) : undefined;
    const opId = frame.id ?? ctx?.id;
    const p = r && opId !== undefined ? r.pending.find((q) => q.id === opId) : undefined;
    if (p && (!ctx || ctx.kind === 'op')) {
      this.#onOpError(r, p, frame);
    } else if (ctx?.kind === 'join') {
      if (r && r.joinRid === frame.rid) {
        this.#onJoinError(r, frame);
      }
    } else if (ctx?.kind === 'refresh') {
      ctx.waiter.reject(new FlowStateError(frame.code, frame.message));
      this.emit('error', { code: frame.code, message: frame.message });
    } else if (ctx?.kind === 'leave') {
      ctx.waiter.resolve();
    } else {
      if (frame.code === 'not_joined' && r && r.phase === 'joined') {
        r.phase = 'idle';
        this.#rejoin(r);
      }
      const { type, ...event } = frame;
      this.emit('error', event);
    }
  }

  #onOpError(r, p, frame) {
    clearTimeout(p.ackTimer);
    if (p.rid) {
      this.#requests.delete(p.rid);
    }
    if (RETRY_CODES.has(frame.code)) {
      p.attempts++;
      p.sentGen = 0;
      p.notBefore = Date.now() + backoff(p.attempts - 1, this.#opts.retry.minMs, this.#opts.retry.maxMs);
      this.#flush(r);
      return;
    }
    if (frame.code === 'not_joined') {
      p.sentGen = 0;
      r.phase = 'idle';
      this.#rejoin(r);
      return;
    }
    this.#dropPending(r, p, { code: frame.code, message: frame.message, room: r.id, id: p.id });
  }

  #onJoinError(r, frame) {
    if (JOIN_RETRY_CODES.has(frame.code)) {
      r.phase = 'idle';
      r.joinAttempts = (r.joinAttempts ?? 0) + 1;
      clearTimeout(r.retryTimer);
      r.retryTimer = setTimeout(() => {
        r.retryTimer = null;
        if (this.#rooms.get(r.id) === r) {
          this.#rejoin(r);
        }
      }, backoff(r.joinAttempts - 1, this.#opts.retry.minMs, this.#opts.retry.maxMs));
      return;
    }
    const error = new FlowStateError(frame.code, frame.message, { room: r.id });
    this.#removeRoom(r, error);
    this.emit('error', { code: frame.code, message: frame.message, room: r.id });
  }

  #onResync(frame) {
    const r = this.#rooms.get(frame.room);
    if (r && r.phase === 'joined') {
      r.phase = 'idle';
      this.#rejoin(r);
    }
  }

  #onLeft(frame) {
    const ctx = frame.rid ? this.#requests.get(frame.rid) : undefined;
    if (ctx?.kind === 'leave') {
      this.#requests.delete(frame.rid);
      ctx.waiter.resolve();
      this.emit('left', { room: frame.room });
      return;
    }
    const r = this.#rooms.get(frame.room);
    if (!r) {
      return;
    }
    const code = frame.code ?? 'left';
    const message = frame.message ?? 'the server ended this room\'s stream';
    this.#removeRoom(r, new FlowStateError(code, message, { room: r.id }));
    this.emit('left', { room: r.id, code: frame.code, message: frame.message });
  }

  #onRole(frame) {
    const r = this.#rooms.get(frame.room);
    if (r) {
      r.role = frame.role;
    }
    this.emit('role', { room: frame.room, role: frame.role });
  }

  #onMembers(frame) {
    const r = this.#rooms.get(frame.room);
    if (r) {
      r.members = frame.users ?? [];
    }
    this.emit('members', { room: frame.room, users: frame.users ?? [] });
  }

  #onRefreshed(frame) {
    const ctx = frame.rid ? this.#requests.get(frame.rid) : undefined;
    if (ctx) {
      this.#requests.delete(frame.rid);
      ctx.waiter.resolve({ expiresAt: frame.expiresAt });
    }
    this.emit('refreshed', { expiresAt: frame.expiresAt });
  }

  // ----------------------------------------------------------------------------------------------
  // Rooms, pending ops, presence, chat

  #newRoom(id) {
    return {
      id,
      phase: 'idle',
      joinRid: null,
      joinAttempts: 0,
      role: null,
      members: [],
      version: null,
      server: null,
      view: null,
      pending: [],
      waiters: [],
      chats: [],
      retryTimer: null,
      presence: { latest: undefined, dirty: false, lastSent: -Infinity, timer: null },
    };
  }

  #joinInfo(r) {
    return { room: r.id, role: r.role, version: r.version, members: r.members };
  }

  #requireRoom(room) {
    const r = this.#rooms.get(room);
    if (!r) {
      throw new FlowStateError('not_joined', `join room '${room}' first`, { room });
    }
    return r;
  }

  #removeRoom(r, error) {
    this.#rooms.delete(r.id);
    clearTimeout(r.retryTimer);
    clearTimeout(r.presence.timer);
    for (const p of r.pending) {
      clearTimeout(p.ackTimer);
      p.waiter.reject(error);
    }
    r.pending = [];
    r.waiters.forEach((w) => w.reject(error));
    r.waiters = [];
    this.#emitStatus();
  }

  #newPending(kind, id, op, json) {
    return {
      kind, id, op, json, rid: null, sentGen: 0, notBefore: 0, attempts: 0, committedAt: null,
      frameBytes: 0, ackTimer: null, waiter: deferred(),
    };
  }

  #submitHistory(kind, room, id) {
    const r = this.#requireRoom(room);
    const opId = id ?? globalThis.crypto.randomUUID();
    if (!validId(opId)) {
      throw new FlowStateError('bad_request', 'an op id must be a string of 1 to 64 characters');
    }
    const p = this.#newPending(kind, opId, null, null);
    r.pending.push(p);
    this.#emitStatus();
    this.#flush(r);
    return { id: opId, committed: p.waiter.promise };
  }

  #settle(r, p, result) {
    const i = r.pending.indexOf(p);
    if (i >= 0) {
      r.pending.splice(i, 1);
    }
    clearTimeout(p.ackTimer);
    if (p.rid) {
      this.#requests.delete(p.rid);
    }
    p.waiter.resolve(result);
  }

  #dropPending(r, p, event) {
    const i = r.pending.indexOf(p);
    if (i >= 0) {
      r.pending.splice(i, 1);
    }
    clearTimeout(p.ackTimer);
    p.waiter.reject(new FlowStateError(event.code, event.message, { room: r.id, id: p.id, op: p.json ?? undefined }));
    this.emit('error', { ...event, kind: p.kind, op: p.json ?? undefined });
    if (p.kind === 'op') {
      this.#rebase(r);
      this.#emitState(r);
    }
    this.#emitStatus();
  }

  /** The optimistic view: the server state with every pending op re-applied (failures skipped). */
  #rebase(r) {
    if (!r.server) {
      r.view = null;
      return;
    }
    const view = r.server.fork();
    for (const p of r.pending) {
      if (p.kind === 'op') {
        try {
          this.#reducer.apply(view, p.op);
        } catch {
          // Fails against the newer state: the server will most likely refuse it too.
        }
      }
    }
    r.view = view;
  }

  #emitState(r) {
    if (!r.view) {
      return;
    }
    this.emit('state', {
      room: r.id,
      state: r.view,
      version: r.version,
      optimistic: r.pending.some((p) => p.kind === 'op'),
      pending: r.pending.length,
    });
  }

  /** Sends what waits for this room: unsent ops (in order), the latest presence, queued chat lines. */
  #flush(r) {
    if (this.#status !== 'connected' || r.phase !== 'joined') {
      return;
    }
    const now = Date.now();
    let next = Infinity;
    for (const p of r.pending) {
      if (p.sentGen === this.#gen) {
        continue;
      }
      if (p.notBefore > now) {
        next = Math.min(next, p.notBefore);
        continue;
      }
      this.#sendPending(r, p);
    }
    if (next < Infinity && !r.retryTimer) {
      r.retryTimer = setTimeout(() => {
        r.retryTimer = null;
        this.#flush(r);
      }, next - now);
    }
    while (r.chats.length > 0) {
      if (!this.#send({ type: 'chat', room: r.id, text: r.chats[0] })) {
        break;
      }
      r.chats.shift();
    }
    this.#schedulePresence(r);
  }

  #sendPending(r, p) {
    if (p.rid) {
      this.#requests.delete(p.rid);
    }
    p.rid = this.#rid(p.kind);
    this.#requests.set(p.rid, { kind: 'op', room: r.id, id: p.id });
    const frame = p.kind === 'op'
      ? { type: 'op', room: r.id, id: p.id, op: p.json, rid: p.rid }
      : { type: p.kind, room: r.id, id: p.id, rid: p.rid };
    const text = JSON.stringify(frame);
    p.frameBytes = text.length;
    if (!this.#sendText(text)) {
      return;
    }
    const gen = this.#gen;
    p.sentGen = gen;
    clearTimeout(p.ackTimer);
    p.ackTimer = setTimeout(() => {
      // No answer at all (e.g. lost with a gateway): send again with the same id.
      if (p.sentGen === gen && gen === this.#gen && p.committedAt === null && r.pending.includes(p)) {
        p.sentGen = 0;
        this.#flush(r);
      }
    }, this.#opts.ackTimeoutMs);
  }

  #schedulePresence(r) {
    const presence = r.presence;
    if (!presence.dirty || presence.timer || this.#status !== 'connected' || r.phase !== 'joined') {
      return;
    }
    const wait = presence.lastSent + 1000 / this.#opts.presenceRate - Date.now();
    if (wait > 0) {
      presence.timer = setTimeout(() => {
        presence.timer = null;
        this.#schedulePresence(r);
      }, wait);
      return;
    }
    if (this.#send({ type: 'presence', room: r.id, state: presence.latest })) {
      presence.lastSent = Date.now();
      presence.dirty = false;
    }
  }
}
