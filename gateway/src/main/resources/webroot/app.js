// FlowState dev whiteboard: a small client of wire protocol v1 (see PROTOCOL.md).
// The canvas state changes only through `op` events from the server; a sent op stays
// "pending" (drawn dashed) until its own event, a duplicate `ack` or an `error` settles it.

const $ = (selector) => document.querySelector(selector);
const SVG_NS = 'http://www.w3.org/2000/svg';
const LOG_MAX = 20;
const MIN_SIZE = 3;
const TOOL_KEYS = { v: 'select', r: 'rect', o: 'ellipse', e: 'ellipse' };

const state = {
  ws: null, connId: 0, attempt: 0, retryTimer: null, online: false,
  me: null, room: roomFromHash(), synced: false, ready: false, version: 0,
  shapes: new Map(), members: [], pending: new Map(),
  tool: 'rect', selectedId: null, gesture: null, seq: 0,
};

// ---- connection -------------------------------------------------------------

// A per-tab guest id, so the server recognises our retried ops after a reconnect.
function guestId() {
  const id = sessionStorage.getItem('flowstate.guest') ?? uuid();
  sessionStorage.setItem('flowstate.guest', id);
  return id;
}

function socketUrl() {
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const params = new URLSearchParams({ guest: guestId() });
  const name = $('#name').value.trim();
  if (name) params.set('name', name);
  return `${proto}://${location.host}/v1/ws?${params}`;
}

function connect() {
  clearTimeout(state.retryTimer);
  const ws = new WebSocket(socketUrl());
  state.ws = ws;
  state.connId += 1;
  ws.onmessage = (e) => { if (ws === state.ws) onFrame(e.data); };
  ws.onclose = (e) => { if (ws === state.ws) onClose(e); };
}

function reconnectNow() {
  const old = state.ws;
  state.ws = null;
  state.online = state.ready = false;
  old?.close(1000, 'reconnect');
  state.attempt = 0;
  setStatus('connecting', 'connecting…');
  connect();
}

function onClose(e) {
  state.ws = null;
  state.online = state.ready = false;
  const delay = Math.min(5000, 500 * 2 ** state.attempt);
  state.attempt += 1;
  setStatus('reconnecting', 'reconnecting…');
  log(`closed ${e.code}${e.reason ? ` (${e.reason})` : ''}, retry in ${delay / 1000}s`, 'warn');
  state.retryTimer = setTimeout(connect, delay);
}

function send(msg) {
  if (state.ws?.readyState !== WebSocket.OPEN) return false;
  state.ws.send(JSON.stringify(msg));
  return true;
}

function join() {
  const msg = { type: 'join', room: state.room, rid: `j${++state.seq}` };
  if (state.synced) msg.since = state.version;
  send(msg);
}

// ---- server frames ----------------------------------------------------------

const handlers = {
  welcome: onWelcome, joined: onJoined, op: onOpEvent, ack: onAck, error: onError, resync: onResync,
  members: (m) => { state.members = m.users ?? []; renderInfo(); },
  left: (m) => log(`left ${m.room}`),
  chat: (m) => log(`chat ${m.user?.name ?? '?'}: ${m.text}`),
};

function onFrame(data) {
  let msg;
  try { msg = JSON.parse(data); } catch { return log('unparseable frame', 'error'); }
  const foreign = msg.room !== undefined && msg.room !== state.room;
  if (foreign && msg.type !== 'left' && msg.type !== 'error') return;
  handlers[msg.type]?.(msg);
}

function onWelcome(m) {
  state.me = m.user;
  state.online = true;
  state.attempt = 0;
  setStatus('connected', 'connected');
  log(`welcome ${m.user.name} (${m.user.id}) via ${m.gateway ?? '?'}`);
  join();
  renderInfo();
}

function onJoined(m) {
  if (m.ops) {
    m.ops.forEach(applyEvent);
  } else if (m.snapshot) {
    state.shapes = new Map((m.snapshot.state?.shapes ?? []).map((s) => [s.id, s]));
    state.version = m.version;
  }
  if (state.version !== m.version) {
    log(`joined ${m.room}: ops stop at v${state.version}, not v${m.version}; reloading`, 'warn');
    state.synced = false;
    join();
    return;
  }
  state.synced = state.ready = true;
  state.members = m.members ?? state.members;
  if (!state.shapes.has(state.selectedId)) state.selectedId = null;
  log(`joined ${m.room} as ${m.role} at v${m.version} (${m.ops ? `${m.ops.length} ops` : 'snapshot'})`);
  flushPending();
  render();
}

function rejoin() {
  state.ready = false;
  join();
}

function applyEvent(ev) {
  if (ev.version !== state.version + 1) return false;
  applyOp(state.shapes, ev.op);
  state.version = ev.version;
  state.pending.delete(ev.id);
  return true;
}

function onOpEvent(m) {
  if (!state.ready || m.version <= state.version) return;
  if (!applyEvent(m)) {
    log(`gap: v${state.version} then v${m.version}, rejoining`, 'warn');
    rejoin();
    return;
  }
  const tag = m.undoOf ? ` (undo of v${m.undoOf})` : m.redoOf ? ` (redo of v${m.redoOf})` : '';
  log(`v${m.version} ${m.author?.name ?? '?'}: ${describe(m.op)}${tag}`);
  if (!state.shapes.has(state.selectedId)) state.selectedId = null;
  render();
}

function onAck(m) {
  if (!m.duplicate) return;
  state.pending.delete(m.id);
  log(`ack duplicate ${m.id.slice(0, 8)} (v${m.version})`);
  render();
}

function onError(m) {
  log(`error ${m.code}: ${m.message}`, 'error');
  if (m.code === 'not_joined' && m.room === state.room) rejoin();
  const p = state.pending.get(m.id ?? m.rid);
  if (!p) return;
  if (m.code === 'unavailable' || m.code === 'rate_limited') {
    p.connId = 0;
    setTimeout(() => { if (state.ready) sendPending(p); }, 1000);
  } else {
    state.pending.delete(p.id);
    render();
  }
}

function onResync(m) {
  log(`resync from v${m.from}, rejoining since v${state.version}`, 'warn');
  rejoin();
}

// ---- operations -------------------------------------------------------------

function applyOp(shapes, op) {
  switch (op.kind) {
    case 'create_shape': shapes.set(op.shape.id, { ...op.shape }); break;
    case 'update_shape': patch(shapes, op.id, op.set ?? {}); break;
    case 'move_shape': patch(shapes, op.id, { x: op.x, y: op.y }); break;
    case 'resize_shape': patch(shapes, op.id, { w: op.w, h: op.h, x: op.x, y: op.y }); break;
    case 'delete_shape': shapes.delete(op.id); break;
    case 'batch': op.ops.forEach((inner) => applyOp(shapes, inner)); break;
    default: log(`unknown op kind ${op.kind}`, 'warn');
  }
}

function patch(shapes, id, set) {
  const shape = shapes.get(id);
  if (!shape) return;
  const next = { ...shape };
  for (const [key, value] of Object.entries(set)) {
    if (key === 'id' || key === 'type' || value === undefined) continue;
    if (value === null) delete next[key];
    else next[key] = value;
  }
  shapes.set(id, next);
}

function describe(op) {
  if (op.kind === 'batch') return `batch of ${op.ops.length}`;
  const id = (op.shape?.id ?? op.id ?? '').slice(0, 8);
  return `${op.kind} ${op.shape?.type ?? ''} ${id}`.replace(/\s+/g, ' ');
}

function sendOp(op) {
  const p = { id: uuid(), room: state.room, op, connId: 0 };
  state.pending.set(p.id, p);
  if (state.ready) sendPending(p);
  render();
}

function sendPending(p) {
  if (p.room !== state.room || !state.pending.has(p.id)) return;
  if (send({ type: 'op', room: p.room, id: p.id, op: p.op, rid: p.id })) p.connId = state.connId;
}

function flushPending() {
  for (const p of state.pending.values()) {
    if (p.connId !== state.connId) sendPending(p);
  }
}

function nextZ() {
  const stamp = Date.now().toString(36).padStart(10, '0');
  const top = [...state.shapes.values()].reduce((max, s) => (s.z > max ? s.z : max), '');
  return stamp > top ? stamp : `${top}1`;
}

function currentStyle() {
  const fill = $('#fill-on').checked ? $('#fill').value : 'none';
  return { stroke: $('#stroke').value, fill };
}

// ---- rooms ------------------------------------------------------------------

function roomFromHash() {
  try {
    return decodeURIComponent(location.hash.slice(1)).trim() || 'lobby';
  } catch {
    return 'lobby';
  }
}

function switchRoom(room) {
  if (room === state.room) return;
  if (state.online && state.synced) send({ type: 'leave', room: state.room, rid: `l${++state.seq}` });
  Object.assign(state, {
    room, synced: false, ready: false, version: 0,
    shapes: new Map(), members: [], pending: new Map(), selectedId: null, gesture: null,
  });
  $('#room').value = room;
  if (state.online) join();
  render();
}

// ---- pointer and keyboard -----------------------------------------------------

function canvasPoint(e) {
  const box = $('#canvas').getBoundingClientRect();
  return { x: Math.round(e.clientX - box.left), y: Math.round(e.clientY - box.top) };
}

function onPointerDown(e) {
  if (e.button !== 0) return;
  const at = canvasPoint(e);
  if (state.tool === 'select') {
    const id = e.target.closest('[data-id]')?.dataset.id ?? null;
    state.selectedId = id;
    state.gesture = id ? { kind: 'move', id, from: at, dx: 0, dy: 0 } : null;
  } else {
    state.gesture = { kind: 'draw', from: at, to: at };
  }
  if (state.gesture) e.currentTarget.setPointerCapture(e.pointerId);
  render();
}

function onPointerMove(e) {
  const g = state.gesture;
  if (!g) return;
  const at = canvasPoint(e);
  if (g.kind === 'draw') g.to = at;
  else Object.assign(g, { dx: at.x - g.from.x, dy: at.y - g.from.y });
  renderCanvas();
}

function onPointerUp() {
  const g = state.gesture;
  state.gesture = null;
  if (g?.kind === 'draw') finishDraw(g);
  if (g?.kind === 'move') finishMove(g);
  render();
}

function dragBox({ from, to }) {
  return {
    x: Math.min(from.x, to.x), y: Math.min(from.y, to.y),
    w: Math.abs(to.x - from.x), h: Math.abs(to.y - from.y),
  };
}

function finishDraw(g) {
  const box = dragBox(g);
  if (box.w < MIN_SIZE || box.h < MIN_SIZE) return;
  const shape = { id: uuid(), type: state.tool, ...box, z: nextZ(), style: currentStyle() };
  sendOp({ kind: 'create_shape', shape });
}

function finishMove(g) {
  const shape = state.shapes.get(g.id);
  if (!shape || (g.dx === 0 && g.dy === 0)) return;
  sendOp({ kind: 'move_shape', id: g.id, x: shape.x + g.dx, y: shape.y + g.dy });
}

function deleteSelected() {
  if (!state.shapes.has(state.selectedId)) return;
  sendOp({ kind: 'delete_shape', id: state.selectedId });
  state.selectedId = null;
  render();
}

function restyleSelected() {
  const shape = state.shapes.get(state.selectedId);
  if (shape) sendOp({ kind: 'update_shape', id: shape.id, set: { style: { ...shape.style, ...currentStyle() } } });
}

function onKey(e) {
  if (e.target.closest('input, textarea, select') || e.ctrlKey || e.metaKey || e.altKey) return;
  if ((e.key === 'Delete' || e.key === 'Backspace') && state.selectedId) {
    e.preventDefault();
    deleteSelected();
  } else if (e.key === 'Escape') {
    state.selectedId = null;
    render();
  } else if (TOOL_KEYS[e.key]) {
    setTool(TOOL_KEYS[e.key]);
  }
}

function setTool(tool) {
  state.tool = tool;
  document.querySelectorAll('[data-tool]').forEach((b) => {
    b.setAttribute('aria-pressed', String(b.dataset.tool === tool));
  });
  $('#canvas').dataset.tool = tool;
}

// ---- rendering ----------------------------------------------------------------

function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  return el;
}

function sortedShapes() {
  return [...state.shapes.values()].sort((a, b) => {
    const za = a.z ?? '', zb = b.z ?? '';
    if (za !== zb) return za < zb ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

function outline(s, paint) {
  const w = s.w ?? 0, h = s.h ?? 0;
  if (s.type === 'ellipse') {
    return svg('ellipse', { cx: s.x + w / 2, cy: s.y + h / 2, rx: w / 2, ry: h / 2, ...paint });
  }
  if (Array.isArray(s.points)) {
    const points = s.points.map(([px, py]) => `${s.x + px},${s.y + py}`).join(' ');
    return svg('polyline', { points, ...paint, fill: 'none' });
  }
  return svg('rect', { x: s.x, y: s.y, width: w, height: h, ...paint });
}

function shapeEl(s, { id, cls, selected } = {}) {
  const style = s.style ?? {};
  const g = svg('g', { class: ['shape', cls].filter(Boolean).join(' '), opacity: style.opacity ?? 1 });
  if (id) g.dataset.id = id;
  const paint = { stroke: style.stroke ?? '#1f2937', fill: style.fill ?? 'none', 'stroke-width': style.strokeWidth ?? 2 };
  g.append(outline(s, paint));
  if (s.text) {
    const size = style.fontSize ?? 14;
    const text = svg('text', { x: s.x + 4, y: s.y + size + 2, 'font-size': size });
    text.textContent = s.text;
    g.append(text);
  }
  if (selected) {
    g.append(svg('rect', { class: 'selection', x: s.x - 4, y: s.y - 4, width: (s.w ?? 0) + 8, height: (s.h ?? 0) + 8 }));
  }
  return g;
}

function ghostOf(op) {
  if (op.kind === 'create_shape') return op.shape;
  const shape = state.shapes.get(op.id);
  if (op.kind === 'move_shape' && shape) return { ...shape, x: op.x, y: op.y };
  return null;
}

function renderCanvas() {
  const g = state.gesture;
  const els = sortedShapes().map((s) => {
    const moving = g?.kind === 'move' && g.id === s.id;
    const shown = moving ? { ...s, x: s.x + g.dx, y: s.y + g.dy } : s;
    return shapeEl(shown, { id: s.id, selected: s.id === state.selectedId });
  });
  for (const p of state.pending.values()) {
    const ghost = ghostOf(p.op);
    if (ghost) els.push(shapeEl(ghost, { cls: 'pending' }));
  }
  if (g?.kind === 'draw') {
    els.push(shapeEl({ type: state.tool, ...dragBox(g), style: currentStyle() }, { cls: 'preview' }));
  }
  $('#shapes').replaceChildren(...els);
}

function memberEl(user) {
  const li = document.createElement('li');
  const swatch = document.createElement('span');
  swatch.className = 'swatch';
  swatch.style.background = user.color ?? '#888';
  swatch.setAttribute('aria-hidden', 'true');
  const you = user.id === state.me?.id ? ' (you)' : '';
  li.append(swatch, `${user.name ?? user.id}${you}`);
  return li;
}

function renderInfo() {
  $('#me-name').textContent = state.me ? state.me.name : '—';
  $('#me-swatch').style.background = state.me?.color ?? 'transparent';
  $('#room-id').textContent = state.room;
  $('#version').textContent = String(state.version);
  $('#count').textContent = String(state.shapes.size);
  $('#pending').textContent = String(state.pending.size);
  $('#members').replaceChildren(...state.members.map(memberEl));
  $('#delete').disabled = !state.selectedId;
}

function render() {
  renderCanvas();
  renderInfo();
}

function setStatus(kind, text) {
  const el = $('#status');
  el.textContent = text;
  el.dataset.state = kind;
}

function log(text, level = 'info') {
  const li = document.createElement('li');
  li.className = level;
  const time = new Date().toLocaleTimeString([], { hour12: false });
  li.textContent = `${time} ${text}`;
  const list = $('#log');
  list.prepend(li);
  while (list.children.length > LOG_MAX) list.lastChild.remove();
}

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ---- start --------------------------------------------------------------------

function bindUi() {
  const canvas = $('#canvas');
  canvas.addEventListener('pointerdown', onPointerDown);
  canvas.addEventListener('pointermove', onPointerMove);
  canvas.addEventListener('pointerup', onPointerUp);
  canvas.addEventListener('pointercancel', () => { state.gesture = null; renderCanvas(); });
  document.addEventListener('keydown', onKey);
  document.querySelectorAll('[data-tool]').forEach((b) => {
    b.addEventListener('click', () => setTool(b.dataset.tool));
  });
  $('#delete').addEventListener('click', deleteSelected);
  ['#stroke', '#fill', '#fill-on'].forEach((sel) => $(sel).addEventListener('change', restyleSelected));
  window.addEventListener('hashchange', () => switchRoom(roomFromHash()));
  $('#room-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const room = $('#room').value.trim() || 'lobby';
    location.hash = encodeURIComponent(room);
    switchRoom(room);
  });
  $('#name-form').addEventListener('submit', (e) => {
    e.preventDefault();
    localStorage.setItem('flowstate.name', $('#name').value.trim());
    reconnectNow();
  });
}

$('#name').value = localStorage.getItem('flowstate.name') ?? '';
$('#room').value = state.room;
bindUi();
setTool(state.tool);
render();
connect();
