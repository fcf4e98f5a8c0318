// FlowState whiteboard app: routing (sign-in, workspaces/canvases, a board per room), the SDK
// connection and the side panels (members, chat, history/time travel), export and status.
// Room URLs are `/#<room id>`: a canvas id (signed in) or an open room (guests, dev mode).
// For tests, `window.flowstate` is the SDK client and `window.flowstateApp` the app.

import { FlowStateClient } from '/sdk/flowstate-client.js';
import { Api } from './api.js';
import { Board } from './board.js';

if (!globalThis.crypto.randomUUID) {
  // Outside a secure context (plain http on a LAN address) browsers hide randomUUID.
  globalThis.crypto.randomUUID = () => {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
}

const $ = (s) => document.querySelector(s);
const TOOL_KEYS = { v: 'select', r: 'rect', o: 'ellipse', l: 'line', a: 'arrow', t: 'text', s: 'sticky', p: 'path' };
const EDIT_ROLES = new Set(['owner', 'editor']);
const ERROR_TEXT = {
  nothing_to_undo: 'Nothing to undo',
  nothing_to_redo: 'Nothing to redo',
  forbidden: 'You are not allowed to do that here',
  rate_limited: 'Slow down a little',
};

const api = new Api();
const app = {
  api,
  client: null,
  mode: null, // 'token' | 'guest'
  room: null,
  role: null,
  guestAllowed: false,
  workspace: null,
  canvas: null,
  whoPending: 0,
  historyOps: [],
  historyTimer: 0,
  historyReq: 0,
  board: null,
};
window.flowstateApp = app;

// ---- views and routing ----------------------------------------------------------------------------

function show(view) {
  for (const id of ['auth-view', 'home-view', 'board-view']) $('#' + id).hidden = id !== view;
  document.body.dataset.view = view;
}

function roomFromHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  try {
    return decodeURIComponent(raw).trim();
  } catch {
    return raw;
  }
}

function renderHeader() {
  const user = api.user;
  $('#me').hidden = !user;
  $('#sign-out').hidden = !user;
  $('#sign-in-link').hidden = Boolean(user) || document.body.dataset.view === 'auth-view';
  $('#name-form').hidden = Boolean(user) || document.body.dataset.view !== 'board-view';
  if (user) {
    $('#me-name').textContent = user.name ?? user.email ?? user.id;
    $('#me-swatch').style.background = user.color ?? '#888';
  }
}

/** An invite link (`/?invite=<token>`) is accepted once the user is signed in. */
async function acceptInvite() {
  const token = new URLSearchParams(location.search).get('invite');
  if (!token || !api.token) return;
  history.replaceState(null, '', location.pathname + location.hash);
  try {
    const { workspace, role } = await api.acceptInvite(token);
    app.workspace = workspace;
    toast(`You joined ${workspace.name} as ${role}`);
  } catch (e) {
    toast(e.status === 404 ? 'This invite expired or was revoked.' : 'Invite: ' + e.message);
  }
}

async function route() {
  await acceptInvite();
  const room = roomFromHash();
  if (room) {
    if (api.token || app.guestAllowed) {
      await openBoard(room);
    } else {
      leaveBoard();
      showAuth('Sign in to open this canvas.');
    }
  } else {
    leaveBoard();
    if (api.token) await showHome();
    else showAuth(new URLSearchParams(location.search).has('invite') ? 'Sign in or sign up to accept the invite.' : undefined);
  }
  renderHeader();
}

function showAuth(note) {
  show('auth-view');
  $('#auth-note').hidden = !note;
  $('#auth-note').textContent = note ?? '';
  $('#guest-box').hidden = !app.guestAllowed;
  renderHeader();
}

// ---- sign in / sign up ------------------------------------------------------------------------------

async function authSubmit(kind) {
  const email = $('#auth-email').value.trim();
  const password = $('#auth-password').value;
  $('#auth-error').textContent = '';
  try {
    if (kind === 'signup') await api.signup(email, password, $('#auth-name').value.trim() || undefined);
    else await api.login(email, password);
    $('#auth-password').value = '';
    resetClient();
    await route();
  } catch (e) {
    $('#auth-error').textContent = e.code === 'invalid_credentials' ? 'Wrong email or password.'
      : e.code === 'conflict' ? 'That email is already registered.' : e.message;
  }
}

// ---- home: workspaces and canvases -------------------------------------------------------------------

async function showHome() {
  show('home-view');
  $('#board-title').hidden = true;
  $('#share').hidden = true;
  try {
    const workspaces = await api.workspaces();
    if (!app.workspace || !workspaces.some((w) => w.id === app.workspace.id)) app.workspace = workspaces[0] ?? null;
    const ul = $('#workspaces');
    ul.replaceChildren(...workspaces.map((w) => {
      const li = document.createElement('li');
      const b = button(w.name, () => {
        app.workspace = w;
        showHome();
      }, `Open workspace ${w.name}`);
      b.setAttribute('aria-current', String(app.workspace?.id === w.id));
      li.append(b, small(w.role));
      return li;
    }));
    if (workspaces.length === 0) ul.append(emptyItem('No workspace yet: create one.'));
    await renderCanvases();
  } catch (e) {
    if (e.status === 401) {
      resetClient();
      showAuth('Your session ended; sign in again.');
    } else {
      toast(e.message);
    }
  }
}

async function renderCanvases() {
  const ul = $('#canvases');
  $('#new-canvas').hidden = !app.workspace;
  if (!app.workspace) {
    ul.replaceChildren(emptyItem('Choose a workspace.'));
    return;
  }
  $('#canvases-title').textContent = `Canvases in ${app.workspace.name}`;
  const canvases = await api.canvases(app.workspace.id);
  ul.replaceChildren(...canvases.map((c) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = '#' + encodeURIComponent(c.id);
    a.textContent = c.name;
    a.setAttribute('aria-label', `Open canvas ${c.name}`);
    li.append(a, small(c.role));
    if (EDIT_ROLES.has(c.role)) {
      li.append(button('Rename', async () => {
        const name = prompt('New name for the canvas', c.name);
        if (name && name.trim()) {
          await api.renameCanvas(c.id, name.trim()).catch((e) => toast(e.message));
          renderCanvases();
        }
      }, `Rename canvas ${c.name}`, 'link'));
    }
    return li;
  }));
  if (canvases.length === 0) ul.append(emptyItem('No canvas yet.'));
}

// ---- the SDK client ---------------------------------------------------------------------------------

function guestId() {
  let id = sessionStorage.getItem('flowstate.guest');
  if (!id) {
    id = crypto.randomUUID();
    sessionStorage.setItem('flowstate.guest', id);
  }
  return id;
}

function resetClient() {
  if (app.client) {
    app.client.close();
    app.client = null;
    window.flowstate = null;
  }
  app.room = null;
}

function ensureClient() {
  const mode = api.token ? 'token' : 'guest';
  if (app.client && app.mode === mode) return app.client;
  resetClient();
  app.mode = mode;
  const name = localStorage.getItem('flowstate.name') || undefined;
  const client = mode === 'token'
    ? new FlowStateClient({ token: api.token })
    : new FlowStateClient({ guest: guestId(), name });
  app.client = client;
  window.flowstate = client;
  wire(client);
  client.connect().catch(() => {});
  return client;
}

function wire(client) {
  const mine = (e) => e.room === app.room && client === app.client;
  client.on('status', (e) => renderStatus(e));
  client.on('state', (e) => {
    if (!mine(e)) return;
    app.board.setShapes(e.state.shapes());
    $('#version').textContent = String(e.version);
    $('#shape-count').textContent = String(e.state.size);
    updateSlider(e.version);
  });
  client.on('joined', (e) => {
    if (!mine(e)) return;
    setRole(e.role);
    renderMembers(e.members);
    hideBoardMessage();
  });
  client.on('members', (e) => {
    if (!mine(e)) return;
    renderMembers(e.users);
    app.board.keepRemote(e.users);
    if (app.whoPending && Date.now() - app.whoPending < 5000) {
      app.whoPending = 0;
      chatLine({ system: true, text: 'In this room: ' + e.users.map((u) => u.name ?? u.id).join(', ') });
    }
  });
  client.on('presence', (e) => mine(e) && app.board.setRemote(e.user, e.state));
  client.on('presence_left', (e) => mine(e) && app.board.removeRemote(e.user?.id));
  client.on('chat', (e) => mine(e) && chatLine(e));
  client.on('role', (e) => mine(e) && setRole(e.role));
  client.on('op', (e) => {
    if (!mine(e)) return;
    app.historyOps.push(e.event);
    if (app.historyOps.length > 200) app.historyOps.shift();
    if (!$('#history-panel').hidden) renderHistoryList();
  });
  client.on('left', (e) => {
    if (e.room === app.room && e.code) boardMessage(e.code === 'not_found' ? 'This canvas was deleted.' : 'You lost access to this canvas.');
  });
  client.on('error', (e) => {
    if (e.room !== undefined && e.room !== app.room) return;
    if (e.code === 'unknown_command') {
      chatLine({ system: true, text: e.message || 'Unknown command: try /help' });
    } else if ((e.code === 'forbidden' || e.code === 'not_found') && !e.id && !e.kind) {
      boardMessage(e.code === 'forbidden'
        ? (api.token ? 'You have no role on this canvas.' : 'This canvas needs an account: sign in to open it.')
        : 'There is no such canvas.');
    } else if (e.code !== 'hash_mismatch') {
      toast(ERROR_TEXT[e.code] ?? `${e.code}: ${e.message ?? ''}`);
    } else {
      console.warn('FlowState', e);
    }
  });
  client.on('token_expiring', () => {
    api.refresh().then((s) => client.setToken(s.accessToken)).catch(() => {});
  });
  client.on('auth_expired', () => {
    api.refresh().then((s) => client.setToken(s.accessToken)).catch(() => {
      resetClient();
      showAuth('Your session ended; sign in again.');
    });
  });
}

function renderStatus({ status, pending }) {
  const el = $('#status');
  const labels = { connecting: 'Connecting…', connected: 'Connected', reconnecting: 'Reconnecting…', offline: 'Offline' };
  let text = labels[status] ?? status;
  if (pending > 0) text += ` · ${pending} pending`;
  el.textContent = text;
  el.dataset.state = status;
  el.dataset.pending = String(pending);
}

// ---- the board ----------------------------------------------------------------------------------------

async function openBoard(room) {
  const client = ensureClient();
  show('board-view');
  $('#board-title').hidden = false;
  $('#share').hidden = false;
  if (app.room === room) return;
  if (app.room) client.leave(app.room).catch(() => {});
  app.room = room;
  app.historyOps = [];
  app.canvas = null;
  exitHistory();
  app.board.setShapes([]);
  app.board.clearRemote();
  app.board.select([]);
  $('#chat-log').replaceChildren();
  renderMembers([]);
  setRole(null);
  hideBoardMessage();
  $('#canvas-name').textContent = room;
  $('#rename-canvas').hidden = true;
  document.title = `${room} · FlowState`;
  if (api.token) {
    api.canvas(room).then((c) => {
      if (app.room !== room) return;
      app.canvas = c;
      $('#canvas-name').textContent = c.name;
      document.title = `${c.name} · FlowState`;
      $('#rename-canvas').hidden = !EDIT_ROLES.has(c.role);
    }).catch(() => {});
  }
  try {
    await client.join(room);
  } catch (e) {
    if (app.room === room && e.code !== 'left' && e.code !== 'closed') {
      boardMessage(e.code === 'forbidden' && !api.token ? 'This canvas needs an account: sign in to open it.'
        : `Cannot open this room: ${e.message}`);
    }
  }
  $('#canvas').focus({ preventScroll: true });
}

function leaveBoard() {
  if (app.client && app.room) app.client.leave(app.room).catch(() => {});
  app.room = null;
  $('#board-title').hidden = true;
  $('#share').hidden = true;
  document.title = 'FlowState whiteboard';
}

function setRole(role) {
  app.role = role;
  const ro = role !== null && !EDIT_ROLES.has(role);
  app.board.readOnly = ro;
  $('#role').textContent = role ? (ro ? `${role} (view only)` : role) : '';
  for (const b of document.querySelectorAll('[data-tool]:not([data-tool="select"]), #front, #back, #delete, #undo, #redo')) {
    b.disabled = ro;
  }
  if (ro) setTool('select');
}

function renderMembers(users) {
  const me = app.client?.user?.id;
  $('#member-count').textContent = users.length ? `(${users.length})` : '';
  $('#members').replaceChildren(...users.map((u) => {
    const li = document.createElement('li');
    li.dataset.user = u.id;
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = u.color ?? '#888';
    sw.setAttribute('aria-hidden', 'true');
    li.append(sw, (u.name ?? u.id) + (u.id === me ? ' (you)' : ''));
    return li;
  }));
}

function boardMessage(text) {
  const el = $('#board-message');
  el.textContent = text;
  el.hidden = false;
}

function hideBoardMessage() {
  $('#board-message').hidden = true;
}

function setTool(tool) {
  app.board.setTool(tool);
  for (const b of document.querySelectorAll('[data-tool]')) b.setAttribute('aria-pressed', String(b.dataset.tool === tool));
}

function currentStyle() {
  return {
    stroke: $('#stroke').value,
    fill: $('#fill-on').checked ? $('#fill').value : 'none',
    strokeWidth: Number($('#stroke-width').value),
    fontSize: 16,
  };
}

function submit(op) {
  if (!app.room || !app.client) return;
  try {
    app.client.submit(app.room, op);
  } catch (e) {
    toast(`${e.code ?? 'error'}: ${e.message}`);
  }
}

function undo() {
  if (app.room && app.client && !app.board.readOnly) app.client.undo(app.room);
}

function redo() {
  if (app.room && app.client && !app.board.readOnly) app.client.redo(app.room);
}

function onSelectionChanged() {
  const n = app.board.selection.size;
  for (const id of ['#front', '#back', '#delete']) $(id).disabled = n === 0 || app.board.readOnly;
  $('#zoom-level').textContent = Math.round(app.board.view.k * 100) + '%';
  const [first] = app.board.selected();
  if (first?.style) {
    if (first.style.stroke?.startsWith('#') && first.style.stroke.length === 7) $('#stroke').value = first.style.stroke;
    if (first.style.fill?.startsWith('#') && first.style.fill.length === 7) $('#fill').value = first.style.fill;
    $('#fill-on').checked = Boolean(first.style.fill && first.style.fill !== 'none');
  }
}

// ---- chat -----------------------------------------------------------------------------------------------

function chatLine({ user, text, action, at, system }) {
  const li = document.createElement('li');
  if (system) {
    li.className = 'system';
    li.textContent = text;
  } else {
    const who = document.createElement('strong');
    who.textContent = user?.name ?? user?.id ?? '?';
    who.style.color = user?.color ?? 'inherit';
    if (action) {
      li.className = 'action';
      li.append('* ', who, ' ', text);
    } else {
      li.append(who, ': ', text);
    }
    if (at) li.title = new Date(at).toLocaleString();
  }
  const log = $('#chat-log');
  log.append(li);
  while (log.children.length > 200) log.firstChild.remove();
  log.scrollTop = log.scrollHeight;
}

function sendChat(text) {
  if (!text || !app.room || !app.client) return;
  if (text === '/help') {
    chatLine({ system: true, text: '/me <action> · /shrug [text] · /who (who is here) · //text sends "/text"' });
    return;
  }
  if (/^\/who\b/.test(text)) app.whoPending = Date.now();
  app.client.chat(app.room, text);
}

// ---- history and time travel -------------------------------------------------------------------------

function head() {
  return app.client?.version(app.room) ?? 0;
}

function updateSlider(version) {
  const s = $('#history-slider');
  const atHead = Number(s.value) >= Number(s.max);
  s.max = String(version);
  if (atHead && !app.board.history) {
    s.value = String(version);
    $('#history-version').textContent = String(version);
  }
  s.disabled = version < 1;
}

async function toggleHistory() {
  const panel = $('#history-panel');
  panel.hidden = !panel.hidden;
  $('#history-toggle').setAttribute('aria-pressed', String(!panel.hidden));
  if (panel.hidden) {
    exitHistory();
    return;
  }
  const h = head();
  updateSlider(h);
  $('#history-slider').value = String(h);
  $('#history-version').textContent = String(h);
  if (h > 0) {
    try {
      const page = await api.roomOps(app.room, Math.max(0, h - 50), 50);
      const known = new Set(app.historyOps.map((o) => o.version));
      app.historyOps = [...page.ops.filter((o) => !known.has(o.version)), ...app.historyOps]
        .sort((a, b) => a.version - b.version);
    } catch (e) {
      toast('History: ' + e.message);
    }
  }
  renderHistoryList();
}

function renderHistoryList() {
  const items = app.historyOps.slice(-50).reverse().map((ev) => {
    const li = document.createElement('li');
    const b = button(`v${ev.version} · ${ev.author?.name ?? '?'} · ${describeOp(ev)}`, () => travelTo(ev.version),
      `Show version ${ev.version}`, 'link');
    if (ev.at) b.title = new Date(ev.at).toLocaleString();
    li.append(b);
    return li;
  });
  $('#history-list').replaceChildren(...items);
}

function describeOp(ev) {
  const op = ev.op ?? {};
  const tag = ev.undoOf ? ` (undo v${ev.undoOf})` : ev.redoOf ? ` (redo v${ev.redoOf})` : '';
  const what = {
    create_shape: `add ${op.shape?.type ?? 'shape'}`, update_shape: 'edit', move_shape: 'move', resize_shape: 'resize',
    delete_shape: 'delete', batch: `${op.ops?.length ?? 0} changes`,
  }[op.kind] ?? op.kind;
  return what + tag;
}

function travelTo(version) {
  const s = $('#history-slider');
  s.value = String(version);
  onSlider();
}

function onSlider() {
  const v = Number($('#history-slider').value);
  $('#history-version').textContent = String(v);
  clearTimeout(app.historyTimer);
  if (v >= head()) {
    exitHistory();
    return;
  }
  app.historyTimer = setTimeout(() => loadVersion(v), 80);
}

async function loadVersion(v) {
  const req = ++app.historyReq;
  const room = app.room;
  try {
    const shapes = v < 1 ? [] : (await api.roomState(room, v)).state.shapes;
    if (req !== app.historyReq || room !== app.room) return;
    app.board.setHistory(v, shapes);
    $('#history-banner').hidden = false;
    $('#history-banner-text').textContent = `Viewing version ${v} of ${head()} (read-only)`;
    document.body.dataset.history = String(v);
  } catch (e) {
    toast('Could not load version ' + v + ': ' + e.message);
  }
}

function exitHistory() {
  app.historyReq++;
  app.board?.setHistory(0, null);
  $('#history-banner').hidden = true;
  delete document.body.dataset.history;
  const s = $('#history-slider');
  s.value = s.max;
  $('#history-version').textContent = s.max;
}

// ---- export -----------------------------------------------------------------------------------------------

async function exportAs(format) {
  if (!app.room) return;
  const version = app.board.history ? app.board.history.version : head();
  if (!version && !app.canvas) {
    toast('Nothing to export yet: draw something first.');
    return;
  }
  try {
    const blob = await api.exportBlob(app.room, format, version || undefined);
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    const safe = (app.canvas?.name ?? app.room).replace(/[^\w.-]+/g, '_').slice(0, 60) || 'canvas';
    a.download = `${safe}-v${version}.${format}`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  } catch (e) {
    toast(`Export failed: ${e.message}`);
  }
}

// ---- small UI helpers ----------------------------------------------------------------------------------------

function button(text, onClick, label, cls) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  if (label) b.setAttribute('aria-label', label);
  if (cls) b.className = cls;
  b.addEventListener('click', onClick);
  return b;
}

function small(text) {
  const s = document.createElement('small');
  s.textContent = text;
  return s;
}

function emptyItem(text) {
  const li = document.createElement('li');
  li.className = 'empty';
  li.textContent = text;
  return li;
}

let toastTimer = 0;
function toast(text) {
  const el = $('#toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, 3500);
}

function isTyping(target) {
  return Boolean(target?.closest?.('input, textarea, select, [contenteditable="true"]'));
}

// ---- wiring -------------------------------------------------------------------------------------------------

function bind() {
  app.board = new Board({
    svg: $('#canvas'),
    editor: $('#text-editor'),
    submit,
    style: currentStyle,
    presence: (cursor, selection) => {
      if (!app.room || !app.client || app.client.version(app.room) === null) return;
      const prev = app.lastPresence ?? {};
      const state = { cursor: cursor === undefined ? prev.cursor ?? null : cursor, selection };
      app.lastPresence = state;
      try {
        app.client.presence(app.room, state);
      } catch {
        // not joined yet
      }
    },
    changed: onSelectionChanged,
  });
  onSelectionChanged();

  $('#auth-form').addEventListener('submit', (e) => {
    e.preventDefault();
    authSubmit('login');
  });
  $('#sign-up').addEventListener('click', () => {
    if ($('#auth-form').reportValidity()) authSubmit('signup');
  });
  $('#guest').addEventListener('click', () => {
    const room = roomFromHash() || 'room-' + crypto.randomUUID().slice(0, 8);
    location.hash = encodeURIComponent(room);
    route();
  });
  $('#sign-out').addEventListener('click', async () => {
    leaveBoard();
    resetClient();
    await api.logout();
    location.hash = '';
    route();
  });
  $('#sign-in-link').addEventListener('click', () => {
    leaveBoard();
    showAuth();
  });
  $('#new-workspace').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      app.workspace = await api.createWorkspace($('#new-workspace-name').value.trim());
      $('#new-workspace-name').value = '';
      showHome();
    } catch (err) {
      toast(err.message);
    }
  });
  $('#new-canvas').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const c = await api.createCanvas(app.workspace.id, $('#new-canvas-name').value.trim());
      $('#new-canvas-name').value = '';
      location.hash = encodeURIComponent(c.id);
    } catch (err) {
      toast(err.message);
    }
  });
  $('#open-room').addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = encodeURIComponent($('#open-room-id').value.trim());
  });
  $('#rename-canvas').addEventListener('click', async () => {
    if (!app.canvas) return;
    const name = prompt('New name for the canvas', app.canvas.name);
    if (!name || !name.trim()) return;
    try {
      app.canvas = await api.renameCanvas(app.canvas.id, name.trim());
      $('#canvas-name').textContent = app.canvas.name;
    } catch (e) {
      toast(e.message);
    }
  });
  $('#share').addEventListener('click', async () => {
    const url = `${location.origin}/#${encodeURIComponent(app.room)}`;
    try {
      await navigator.clipboard.writeText(url);
      toast('Link copied: ' + url);
    } catch {
      prompt('Share this link', url);
    }
  });
  $('#guest-name').value = localStorage.getItem('flowstate.name') ?? '';
  $('#name-form').addEventListener('change', () => {
    localStorage.setItem('flowstate.name', $('#guest-name').value.trim());
    const room = app.room;
    resetClient();
    if (room) openBoard(room);
  });
  $('#name-form').addEventListener('submit', (e) => e.preventDefault());

  for (const b of document.querySelectorAll('[data-tool]')) b.addEventListener('click', () => setTool(b.dataset.tool));
  $('#delete').addEventListener('click', () => app.board.deleteSelection());
  $('#front').addEventListener('click', () => app.board.bringToFront());
  $('#back').addEventListener('click', () => app.board.sendToBack());
  $('#undo').addEventListener('click', undo);
  $('#redo').addEventListener('click', redo);
  $('#zoom-in').addEventListener('click', () => app.board.zoomBy(1.25));
  $('#zoom-out').addEventListener('click', () => app.board.zoomBy(0.8));
  $('#zoom-reset').addEventListener('click', () => app.board.resetView());
  $('#stroke').addEventListener('change', () => app.board.restyle({ stroke: $('#stroke').value }));
  $('#fill').addEventListener('change', () => {
    $('#fill-on').checked = true;
    app.board.restyle({ fill: $('#fill').value });
  });
  $('#fill-on').addEventListener('change', () => app.board.restyle({ fill: currentStyle().fill }));
  $('#stroke-width').addEventListener('change', () => app.board.restyle({ strokeWidth: currentStyle().strokeWidth }));
  $('#export-svg').addEventListener('click', () => exportAs('svg'));
  $('#export-png').addEventListener('click', () => exportAs('png'));
  $('#history-toggle').addEventListener('click', toggleHistory);
  $('#history-slider').addEventListener('input', onSlider);
  $('#back-to-live').addEventListener('click', exitHistory);
  $('#chat-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('#chat-input');
    sendChat(input.value.trim());
    input.value = '';
  });

  document.addEventListener('keydown', (e) => {
    if (document.body.dataset.view !== 'board-view') return;
    if (isTyping(e.target)) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if (mod && key === 'z') {
      e.preventDefault();
      if (e.shiftKey) redo();
      else undo();
      return;
    }
    if (mod && key === 'y') {
      e.preventDefault();
      redo();
      return;
    }
    if (e.key === 'Escape' && app.board.history) {
      exitHistory();
      e.preventDefault();
      return;
    }
    if (app.board.onKey(e)) {
      e.preventDefault();
      return;
    }
    if (!mod && !e.altKey && TOOL_KEYS[key] && !app.board.readOnly) setTool(TOOL_KEYS[key]);
    else if (!mod && (key === '+' || key === '=')) app.board.zoomBy(1.25);
    else if (!mod && key === '-') app.board.zoomBy(0.8);
    else if (!mod && key === '0') app.board.resetView();
  });

  window.addEventListener('hashchange', route);
  api.onSession = (s) => {
    renderHeader();
    if (!s && app.mode === 'token') resetClient();
  };
}

async function start() {
  bind();
  setTool('select');
  renderStatus({ status: 'offline', pending: 0 });
  app.guestAllowed = await api.guestAccess();
  await route();
}

start();
