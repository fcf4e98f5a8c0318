// The drawing surface: an SVG with a pannable, zoomable world; tools, selection, move, resize,
// text editing, live cursors. Edits go out as ops through the SDK; what is drawn is always the SDK's
// (optimistic) state, or a read-only historical state during time travel.

import { svg, shapeEl, paintOrder, box, absPoints, textSize, STICKY_FILL } from './render.js';
import { zAfter, zBefore } from './zorder.js';

const MIN_SIZE = 3;
const HANDLE = 8;
const DRAW_TOOLS = new Set(['rect', 'ellipse', 'line', 'arrow']);
const POINT_TYPES = new Set(['line', 'arrow', 'path']);

export class Board {
  shapes = new Map();
  history = null; // {version, shapes: Map} while time travelling
  selection = new Set();
  tool = 'select';
  view = { tx: 0, ty: 0, k: 1 };
  remote = new Map(); // user id → {user, cursor, selection}
  readOnly = false;
  #gesture = null;
  #space = false;
  #frame = 0;
  #editing = null;

  /**
   * @param {object} o
   * @param {SVGSVGElement} o.svg the canvas
   * @param {HTMLTextAreaElement} o.editor the text editor overlay
   * @param {(op: object) => void} o.submit sends an op
   * @param {() => object} o.style the current toolbar style {stroke, fill, strokeWidth}
   * @param {(cursor: number[]|null, selection: string[]) => void} o.presence publishes presence
   * @param {() => void} o.changed called when the selection or view changes
   */
  constructor(o) {
    this.o = o;
    this.svg = o.svg;
    this.world = svg('g', { id: 'world' });
    this.layerShapes = svg('g', { id: 'shapes' });
    this.layerRemote = svg('g', { id: 'remote-selections' });
    this.layerOverlay = svg('g', { id: 'overlay' });
    this.layerCursors = svg('g', { id: 'cursors' });
    this.world.append(this.layerShapes, this.layerRemote, this.layerOverlay, this.layerCursors);
    this.svg.append(this.world);
    this.#bind();
    this.render();
  }

  // ---- inputs from the app ---------------------------------------------------------------------

  setShapes(list) {
    this.shapes = new Map(list.map((s) => [s.id, s]));
    let pruned = false;
    for (const id of this.selection) {
      if (!this.shapes.has(id)) {
        this.selection.delete(id);
        pruned = true;
      }
    }
    if (pruned) this.#selectionChanged();
    this.schedule();
  }

  setHistory(version, list) {
    this.history = list ? { version, shapes: new Map(list.map((s) => [s.id, s])) } : null;
    this.#gesture = null;
    this.svg.classList.toggle('history', Boolean(list));
    this.schedule();
  }

  setTool(tool) {
    this.tool = tool;
    this.svg.dataset.tool = tool;
    this.#cancelEdit(true);
    if (tool !== 'select' && this.selection.size) {
      this.selection.clear();
      this.#selectionChanged();
    }
    this.schedule();
  }

  setRemote(user, state) {
    if (!user?.id) return;
    this.remote.set(user.id, { user, cursor: state?.cursor ?? null, selection: state?.selection ?? [] });
    this.schedule();
  }

  removeRemote(userId) {
    if (this.remote.delete(userId)) this.schedule();
  }

  keepRemote(users) {
    const ids = new Set(users.map((u) => u.id));
    for (const id of [...this.remote.keys()]) if (!ids.has(id)) this.remote.delete(id);
    this.schedule();
  }

  clearRemote() {
    this.remote.clear();
    this.schedule();
  }

  selected() {
    return [...this.selection].map((id) => this.shapes.get(id)).filter(Boolean);
  }

  select(ids) {
    this.selection = new Set(ids.filter((id) => this.shapes.has(id)));
    this.#selectionChanged();
    this.schedule();
  }

  // ---- commands (toolbar and keyboard) ---------------------------------------------------------

  deleteSelection() {
    const ops = this.selected().map((s) => ({ kind: 'delete_shape', id: s.id }));
    this.selection.clear();
    this.#selectionChanged();
    this.#send(ops);
  }

  bringToFront() {
    const order = paintOrder(this.shapes.values());
    let top = order.length ? order[order.length - 1].z : undefined;
    const ops = [];
    for (const s of paintOrder(this.selected())) {
      top = zAfter(top);
      ops.push({ kind: 'update_shape', id: s.id, set: { z: top } });
    }
    this.#send(ops);
  }

  sendToBack() {
    const order = paintOrder(this.shapes.values());
    let bottom = order.find((s) => s.z !== undefined)?.z;
    const ops = [];
    for (const s of paintOrder(this.selected()).reverse()) {
      bottom = zBefore(bottom);
      ops.push({ kind: 'update_shape', id: s.id, set: { z: bottom } });
    }
    this.#send(ops);
  }

  /** Applies toolbar style fields to the selection. */
  restyle(fields) {
    const ops = this.selected().map((s) => ({ kind: 'update_shape', id: s.id, set: { style: { ...s.style, ...fields } } }));
    this.#send(ops);
  }

  /** Rotates every selected shape by `delta` degrees (clockwise) about its box centre. */
  rotateSelection(delta) {
    const ops = this.selected().map((s) => ({ kind: 'update_shape', id: s.id,
      set: { rotation: normAngle((s.rotation ?? 0) + delta) } }));
    this.#send(ops);
  }

  zoomBy(factor, cx = this.svg.clientWidth / 2, cy = this.svg.clientHeight / 2) {
    const v = this.view;
    const k = Math.min(8, Math.max(0.1, v.k * factor));
    v.tx = cx - ((cx - v.tx) * k) / v.k;
    v.ty = cy - ((cy - v.ty) * k) / v.k;
    v.k = k;
    this.o.changed?.();
    this.schedule();
  }

  resetView() {
    this.view = { tx: 0, ty: 0, k: 1 };
    this.o.changed?.();
    this.schedule();
  }

  /** Handles a key press on the document; returns true when it was the board's. */
  onKey(e) {
    const mod = e.ctrlKey || e.metaKey;
    if (e.key === 'Escape') {
      if (this.#editing) return this.#cancelEdit(false), true;
      if (this.#gesture) {
        this.#gesture = null;
        this.schedule();
        return true;
      }
      if (this.selection.size) {
        this.select([]);
        return true;
      }
      return false;
    }
    if (mod || e.altKey || this.history || this.readOnly) return false;
    if ((e.key === 'Delete' || e.key === 'Backspace') && this.selection.size) {
      this.deleteSelection();
      return true;
    }
    if (e.key === ']') return this.bringToFront(), true;
    // R rotates a selection by 15° (Shift+R back); with nothing selected it stays the rectangle tool.
    if ((e.key === 'r' || e.key === 'R') && this.tool === 'select' && this.selection.size) {
      return this.rotateSelection(e.shiftKey ? -15 : 15), true;
    }
    if (e.key === '[') return this.sendToBack(), true;
    return false;
  }

  // ---- coordinates ------------------------------------------------------------------------------

  toWorld(e) {
    const r = this.svg.getBoundingClientRect();
    const v = this.view;
    return { x: (e.clientX - r.left - v.tx) / v.k, y: (e.clientY - r.top - v.ty) / v.k };
  }

  toScreen(x, y) {
    const v = this.view;
    return { x: x * v.k + v.tx, y: y * v.k + v.ty };
  }

  // ---- pointer handling -------------------------------------------------------------------------

  #bind() {
    const el = this.svg;
    el.addEventListener('pointerdown', (e) => this.#down(e));
    el.addEventListener('pointermove', (e) => this.#move(e));
    el.addEventListener('pointerup', (e) => this.#up(e));
    el.addEventListener('pointercancel', () => {
      this.#gesture = null;
      this.schedule();
    });
    el.addEventListener('pointerleave', () => this.o.presence(null, [...this.selection]));
    el.addEventListener('dblclick', (e) => this.#dblclick(e));
    el.addEventListener('wheel', (e) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      if (e.ctrlKey || e.metaKey || !e.shiftKey) {
        this.zoomBy(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
      } else {
        this.view.tx -= e.deltaY;
        this.schedule();
      }
    }, { passive: false });
    el.addEventListener('contextmenu', (e) => e.preventDefault());
    el.addEventListener('mousedown', (e) => {
      // The text editor opened by this click keeps the focus.
      if (this.tool === 'text' || this.tool === 'sticky') e.preventDefault();
    });
    window.addEventListener('keydown', (e) => {
      if (e.code === 'Space' && !isTyping(e.target)) {
        if (!this.#space) {
          this.#space = true;
          el.classList.add('panning');
        }
        e.preventDefault();
      }
    });
    window.addEventListener('keyup', (e) => {
      if (e.code === 'Space') {
        this.#space = false;
        el.classList.remove('panning');
      }
    });
    this.o.editor.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        this.#cancelEdit(false);
      } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.#commitEdit();
      }
    });
    this.o.editor.addEventListener('blur', () => this.#commitEdit());
  }

  #down(e) {
    if (this.#editing) this.#commitEdit();
    this.svg.focus?.({ preventScroll: true });
    const at = this.toWorld(e);
    if (e.button === 1 || (e.button === 0 && this.#space)) {
      e.preventDefault();
      this.#start(e, { kind: 'pan', sx: e.clientX, sy: e.clientY, tx: this.view.tx, ty: this.view.ty });
      return;
    }
    if (e.button !== 0) return;
    if (this.history || this.readOnly) {
      this.#start(e, { kind: 'pan', sx: e.clientX, sy: e.clientY, tx: this.view.tx, ty: this.view.ty });
      return;
    }
    const tool = this.tool;
    if (tool === 'select') {
      const handle = e.target.closest?.('[data-handle]')?.dataset.handle;
      const only = this.selection.size === 1 ? this.shapes.get([...this.selection][0]) : null;
      if (handle === 'rotate' && only) {
        const b = box(only);
        const c = { x: b.x + b.w / 2, y: b.y + b.h / 2 };
        this.#start(e, { kind: 'rotate', id: only.id, c, a0: angleDeg(c, at), r0: only.rotation ?? 0,
          angle: only.rotation ?? 0 });
        return;
      }
      if (handle && only) {
        this.#start(e, { kind: 'resize', id: only.id, handle, from: at, to: at, orig: box(only) });
        return;
      }
      const id = e.target.closest?.('[data-id]')?.dataset.id;
      if (id && this.shapes.has(id)) {
        if (e.shiftKey) {
          if (this.selection.has(id)) this.selection.delete(id);
          else this.selection.add(id);
        } else if (!this.selection.has(id)) {
          this.selection = new Set([id]);
        }
        this.#selectionChanged();
        if (this.selection.has(id)) this.#start(e, { kind: 'move', from: at, dx: 0, dy: 0, ids: [...this.selection] });
        this.schedule();
        return;
      }
      if (!e.shiftKey && this.selection.size) {
        this.selection.clear();
        this.#selectionChanged();
      }
      this.#start(e, { kind: 'marquee', from: at, to: at, add: e.shiftKey, base: [...this.selection] });
      return;
    }
    if (DRAW_TOOLS.has(tool)) {
      this.#start(e, { kind: 'draw', from: at, to: at });
    } else if (tool === 'path') {
      this.#start(e, { kind: 'path', points: [[at.x, at.y]] });
    } else if (tool === 'text' || tool === 'sticky') {
      e.preventDefault(); // keep the focus for the editor
      this.#openEditor({ type: tool, x: Math.round(at.x), y: Math.round(at.y) });
    }
  }

  #start(e, gesture) {
    this.#gesture = gesture;
    try {
      this.svg.setPointerCapture(e.pointerId);
    } catch {
      // synthetic events
    }
    this.schedule();
  }

  #move(e) {
    const at = this.toWorld(e);
    if (!this.history) this.o.presence([round1(at.x), round1(at.y)], [...this.selection]);
    const g = this.#gesture;
    if (!g) return;
    switch (g.kind) {
      case 'pan':
        this.view.tx = g.tx + e.clientX - g.sx;
        this.view.ty = g.ty + e.clientY - g.sy;
        break;
      case 'move':
        g.dx = at.x - g.from.x;
        g.dy = at.y - g.from.y;
        break;
      case 'rotate': {
        let a = g.r0 + angleDeg(g.c, at) - g.a0;
        if (e.shiftKey) a = Math.round(a / 15) * 15;
        g.angle = normAngle(a);
        break;
      }
      case 'path': {
        const last = g.points[g.points.length - 1];
        if (Math.hypot(at.x - last[0], at.y - last[1]) * this.view.k >= 2) g.points.push([at.x, at.y]);
        break;
      }
      default:
        g.to = at;
    }
    this.schedule();
  }

  #up() {
    const g = this.#gesture;
    this.#gesture = null;
    if (!g) return;
    switch (g.kind) {
      case 'draw':
        this.#finishDraw(g);
        break;
      case 'path':
        this.#finishPath(g);
        break;
      case 'move':
        if (Math.abs(g.dx) > 0.5 || Math.abs(g.dy) > 0.5) {
          this.#send(g.ids.map((id) => this.shapes.get(id)).filter(Boolean)
            .map((s) => ({ kind: 'move_shape', id: s.id, x: round1(s.x + g.dx), y: round1(s.y + g.dy) })));
        }
        break;
      case 'resize':
        this.#finishResize(g);
        break;
      case 'rotate':
        if (this.shapes.has(g.id) && g.angle !== normAngle(g.r0)) {
          this.#send([{ kind: 'update_shape', id: g.id, set: { rotation: g.angle } }]);
        }
        break;
      case 'marquee': {
        const m = rectOf(g.from, g.to);
        const hits = [...this.shapes.values()].filter((s) => intersects(box(s), m)).map((s) => s.id);
        this.selection = new Set([...g.base, ...hits]);
        this.#selectionChanged();
        break;
      }
      case 'pan':
        this.o.changed?.();
        break;
      default:
    }
    this.schedule();
  }

  #dblclick(e) {
    if (this.history || this.readOnly || this.tool !== 'select') return;
    const id = e.target.closest?.('[data-id]')?.dataset.id;
    const s = id && this.shapes.get(id);
    if (s && (s.type === 'text' || s.type === 'sticky')) {
      this.#openEditor(s, true);
    } else if (!s) {
      const at = this.toWorld(e);
      this.#openEditor({ type: 'text', x: Math.round(at.x), y: Math.round(at.y) });
    }
  }

  // ---- creating and editing shapes ---------------------------------------------------------------

  #base(type, extra) {
    const order = paintOrder(this.shapes.values());
    const z = zAfter(order.length ? order[order.length - 1].z : undefined);
    const st = this.o.style();
    const style = { stroke: st.stroke, strokeWidth: st.strokeWidth };
    if (type === 'sticky') style.fill = STICKY_FILL; // recolour a selected note with the fill control
    else if (type !== 'line' && type !== 'arrow' && type !== 'path') style.fill = st.fill;
    if (type === 'text' || type === 'sticky') {
      delete style.strokeWidth;
      style.fontSize = st.fontSize ?? 16;
      if (type === 'text') style.fill = 'none';
    }
    return { id: crypto.randomUUID(), type, z, style, ...extra };
  }

  #finishDraw(g) {
    const r = rectOf(g.from, g.to);
    if (r.w * this.view.k < MIN_SIZE && r.h * this.view.k < MIN_SIZE) return;
    const type = this.tool;
    let shape;
    if (type === 'line' || type === 'arrow') {
      const pts = [[g.from.x, g.from.y], [g.to.x, g.to.y]];
      shape = this.#base(type, pointsShape(pts));
    } else {
      shape = this.#base(type, { x: round1(r.x), y: round1(r.y), w: round1(r.w), h: round1(r.h) });
    }
    this.#send([{ kind: 'create_shape', shape }]);
  }

  #finishPath(g) {
    this.#send([{ kind: 'create_shape', shape: this.#base('path', pointsShape(g.points)) }]);
  }

  #finishResize(g) {
    const s = this.shapes.get(g.id);
    if (!s) return;
    const map = resizeMapper(g.orig, g.handle, g.to);
    const nb = map.box;
    if (POINT_TYPES.has(s.type)) {
      const pts = absPoints(s).map(([x, y]) => map.point(x, y));
      const ps = pointsShape(pts);
      this.#send([{ kind: 'update_shape', id: s.id, set: { x: ps.x, y: ps.y, w: ps.w, h: ps.h, points: ps.points } }]);
    } else {
      this.#send([{ kind: 'resize_shape', id: s.id, x: round1(nb.x), y: round1(nb.y), w: round1(nb.w), h: round1(nb.h) }]);
    }
  }

  #openEditor(shape, existing = false) {
    const ed = this.o.editor;
    const fs = shape.style?.fontSize ?? this.o.style().fontSize ?? 16;
    const p = this.toScreen(shape.x, shape.y);
    const b = existing ? box(shape) : { w: shape.type === 'sticky' ? 200 : 160, h: shape.type === 'sticky' ? 200 : fs * 1.6 };
    this.#editing = { shape, existing };
    ed.value = existing ? shape.text ?? '' : '';
    Object.assign(ed.style, {
      left: p.x + 'px', top: p.y + 'px', width: Math.max(80, b.w * this.view.k) + 'px',
      height: Math.max(fs * 1.6, b.h) * this.view.k + 'px', fontSize: fs * this.view.k + 'px',
    });
    ed.dataset.type = shape.type;
    ed.hidden = false;
    ed.focus({ preventScroll: true });
  }

  #commitEdit() {
    const ed = this.o.editor;
    const editing = this.#editing;
    if (!editing) return;
    this.#editing = null;
    ed.hidden = true;
    const text = ed.value.replace(/\s+$/, '');
    const { shape, existing } = editing;
    if (existing) {
      if (text === (shape.text ?? '')) return;
      if (!this.shapes.has(shape.id)) return;
      const set = { text };
      if (shape.type === 'text') Object.assign(set, textSize(text, shape.style?.fontSize ?? 16));
      this.#send([{ kind: 'update_shape', id: shape.id, set }]);
    } else if (text || shape.type === 'sticky') {
      const base = this.#base(shape.type, { x: shape.x, y: shape.y, text });
      if (shape.type === 'text') Object.assign(base, textSize(text, base.style.fontSize));
      else Object.assign(base, { w: 200, h: 200 });
      this.#send([{ kind: 'create_shape', shape: base }]);
    }
    this.svg.focus?.({ preventScroll: true });
  }

  #cancelEdit(commit) {
    if (!this.#editing) return;
    if (commit) {
      this.#commitEdit();
      return;
    }
    this.#editing = null;
    this.o.editor.hidden = true;
    this.svg.focus?.({ preventScroll: true });
  }

  #send(ops) {
    if (ops.length === 0) return;
    this.o.submit(ops.length === 1 ? ops[0] : { kind: 'batch', ops });
  }

  #selectionChanged() {
    this.o.presence(undefined, [...this.selection]);
    this.o.changed?.();
  }

  // ---- rendering --------------------------------------------------------------------------------

  schedule() {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.render();
    });
  }

  render() {
    const v = this.view;
    this.world.setAttribute('transform', `translate(${v.tx} ${v.ty}) scale(${v.k})`);
    const g = this.#gesture;
    const source = this.history ? this.history.shapes : this.shapes;
    const shown = [];
    for (const s of paintOrder(source.values())) {
      shown.push(this.#preview(s, g));
    }
    this.layerShapes.replaceChildren(...shown.map((s) => shapeEl(s)));
    const over = [];
    if (!this.history) {
      const sel = shown.filter((s) => this.selection.has(s.id));
      for (const s of sel) over.push(rotated(s, [outline(box(s), 'selection', v.k)]));
      if (sel.length === 1 && !this.readOnly && !(g && g.kind === 'move')) {
        over.push(rotated(sel[0], [...handles(box(sel[0]), v.k), ...rotateHandle(box(sel[0]), v.k)]));
      }
      if (g?.kind === 'draw') {
        const type = this.tool;
        const preview = type === 'line' || type === 'arrow'
          ? this.#base(type, pointsShape([[g.from.x, g.from.y], [g.to.x, g.to.y]]))
          : this.#base(type, rectOf(g.from, g.to));
        over.push(withClass(shapeEl(preview, { hit: false }), 'preview'));
      } else if (g?.kind === 'path') {
        over.push(withClass(shapeEl(this.#base('path', pointsShape(g.points)), { hit: false }), 'preview'));
      } else if (g?.kind === 'marquee') {
        over.push(outline(rectOf(g.from, g.to), 'marquee', v.k));
      }
    }
    this.layerOverlay.replaceChildren(...over);
    this.#renderRemote();
  }

  #preview(s, g) {
    if (!g || this.history) return s;
    if (g.kind === 'move' && g.ids.includes(s.id)) {
      return { ...s, x: s.x + g.dx, y: s.y + g.dy };
    }
    if (g.kind === 'rotate' && g.id === s.id) return { ...s, rotation: g.angle };
    if (g.kind === 'resize' && g.id === s.id) {
      const map = resizeMapper(g.orig, g.handle, g.to);
      if (POINT_TYPES.has(s.type)) return { ...s, ...pointsShape(absPoints(s).map(([x, y]) => map.point(x, y))) };
      return { ...s, ...map.box };
    }
    return s;
  }

  #renderRemote() {
    const k = this.view.k;
    const sels = [];
    const cursors = [];
    for (const { user, cursor, selection } of this.remote.values()) {
      const color = user.color ?? '#e03131';
      for (const id of selection ?? []) {
        const s = this.shapes.get(id);
        if (s && !this.history) {
          const r = outline(box(s), 'remote-selection', k);
          r.setAttribute('stroke', color);
          sels.push(r);
        }
      }
      if (Array.isArray(cursor) && cursor.length === 2 && Number.isFinite(cursor[0]) && Number.isFinite(cursor[1])) {
        const c = svg('g', { class: 'cursor', 'data-user': user.id, 'aria-label': `Cursor of ${user.name ?? user.id}`,
          transform: `translate(${cursor[0]} ${cursor[1]}) scale(${1 / k})` });
        c.append(svg('path', { d: 'M0,0 L0,16 L4.5,12 L8,19 L10.5,18 L7,11 L12.5,11 Z', fill: color, stroke: '#fff',
          'stroke-width': 1 }));
        const label = user.name ?? user.id;
        const w = Math.min(200, 8 + label.length * 7);
        c.append(svg('rect', { x: 12, y: 18, width: w, height: 18, rx: 4, fill: color }));
        const t = svg('text', { x: 16, y: 31, 'font-size': 12, fill: '#fff', 'font-family': 'sans-serif' });
        t.textContent = label;
        c.append(t);
        cursors.push(c);
      }
    }
    this.layerRemote.replaceChildren(...sels);
    this.layerCursors.replaceChildren(...cursors);
  }
}

// ---- helpers ------------------------------------------------------------------------------------

function isTyping(target) {
  return Boolean(target?.closest?.('input, textarea, select, [contenteditable="true"]'));
}

function round1(n) {
  return Math.round(n * 10) / 10;
}

/** Degrees, clockwise (y down), of the direction from `c` to `p`. */
function angleDeg(c, p) {
  return (Math.atan2(p.y - c.y, p.x - c.x) * 180) / Math.PI;
}

/** An angle in [0, 360), rounded to 0.1°. */
function normAngle(a) {
  const r = round1(((a % 360) + 360) % 360);
  return r >= 360 ? 0 : r;
}

/** Wraps overlay nodes in a group turned like the shape (about its box centre, as render.js draws it). */
function rotated(s, nodes) {
  const g = svg('g', {});
  if (s.rotation) {
    const b = box(s);
    g.setAttribute('transform', `rotate(${s.rotation} ${b.x + b.w / 2} ${b.y + b.h / 2})`);
  }
  g.append(...nodes);
  return g;
}

/** The rotation handle: a round knob above the top edge's middle, on a short stem. */
function rotateHandle(b, k) {
  const cx = b.x + b.w / 2;
  const top = b.y - 3 / k;
  const cy = b.y - 28 / k;
  return [
    svg('line', { class: 'rotate-stem', x1: cx, y1: top, x2: cx, y2: cy, 'stroke-width': 1 / k }),
    svg('circle', { class: 'handle rotate-handle', 'data-handle': 'rotate', cx, cy, r: HANDLE / k / 1.6,
      'stroke-width': 1 / k, role: 'button', 'aria-label': 'Rotate (drag; Shift snaps to 15°)' }),
  ];
}

function rectOf(a, b) {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(b.x - a.x), h: Math.abs(b.y - a.y) };
}

function intersects(a, b) {
  return a.x <= b.x + b.w && b.x <= a.x + a.w && a.y <= b.y + b.h && b.y <= a.y + a.h;
}

/** A shape's geometry from absolute points: x,y the top-left of their box, points relative. */
function pointsShape(pts) {
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const x = round1(Math.min(...xs));
  const y = round1(Math.min(...ys));
  return {
    x, y, w: round1(Math.max(...xs) - x), h: round1(Math.max(...ys) - y),
    points: pts.map(([px, py]) => [round1(px - x), round1(py - y)]),
  };
}

/** Maps the original box to the one given by dragging corner `handle` to `to` (flips allowed). */
function resizeMapper(b, handle, to) {
  const fx = handle.includes('w') ? b.x + b.w : b.x; // fixed corner
  const fy = handle.includes('n') ? b.y + b.h : b.y;
  const ow = handle.includes('w') ? -b.w : b.w; // signed original extent from the fixed corner
  const oh = handle.includes('n') ? -b.h : b.h;
  const nw = to.x - fx;
  const nh = to.y - fy;
  const point = (x, y) => [
    ow === 0 ? x : fx + ((x - fx) / ow) * nw,
    oh === 0 ? y : fy + ((y - fy) / oh) * nh,
  ];
  return {
    box: { x: Math.min(fx, fx + nw), y: Math.min(fy, fy + nh), w: Math.abs(nw), h: Math.abs(nh) },
    point,
  };
}

function outline(b, cls, k) {
  return svg('rect', { class: cls, x: b.x - 3 / k, y: b.y - 3 / k, width: b.w + 6 / k, height: b.h + 6 / k,
    'stroke-width': 1.5 / k, fill: 'none' });
}

function handles(b, k) {
  const s = HANDLE / k;
  const corners = { nw: [b.x, b.y], ne: [b.x + b.w, b.y], sw: [b.x, b.y + b.h], se: [b.x + b.w, b.y + b.h] };
  return Object.entries(corners).map(([name, [x, y]]) => svg('rect', {
    class: 'handle', 'data-handle': name, x: x - s / 2, y: y - s / 2, width: s, height: s, 'stroke-width': 1 / k,
  }));
}

function withClass(node, cls) {
  node.classList.add(cls);
  return node;
}
