// Shapes → SVG elements, with the geometry of docs/CANVAS.md and the export renderer
// (points relative to x,y; rotation in degrees about the box centre; the same defaults).

import { compareCodePoints } from '/sdk/flowstate-client.js';

export const SVG_NS = 'http://www.w3.org/2000/svg';
export const STICKY_FILL = '#fff59d';
const CHAR_WIDTH = 0.6; // × fontSize, the server's estimate for text extents and wrapping
const LINE_HEIGHT = 1.25;

export function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) el.setAttribute(key, String(value));
  }
  return el;
}

/** Paint order: shapes without z first, then by z (code points), ties by id. */
export function paintOrder(shapes) {
  return [...shapes].sort((a, b) => {
    const az = a.z !== undefined, bz = b.z !== undefined;
    if (az !== bz) return az ? 1 : -1;
    if (az) {
      const c = compareCodePoints(a.z, b.z);
      if (c !== 0) return c;
    }
    return compareCodePoints(a.id, b.id);
  });
}

/** Size of a text block by the server's estimate: {w, h}. */
export function textSize(text, fontSize = 16) {
  const lines = String(text ?? '').split('\n');
  const longest = Math.max(1, ...lines.map((l) => [...l].length));
  return { w: Math.ceil(longest * CHAR_WIDTH * fontSize), h: Math.ceil(lines.length * LINE_HEIGHT * fontSize) };
}

/** The shape's box {x, y, w, h} (sticky defaults to 200 × 200, text to its estimated size). */
export function box(s) {
  let w = s.w, h = s.h;
  if (s.type === 'sticky') {
    w ??= 200;
    h ??= 200;
  } else if (s.type === 'text' && (w === undefined || h === undefined)) {
    const t = textSize(s.text, s.style?.fontSize);
    w ??= t.w;
    h ??= t.h;
  }
  return { x: s.x, y: s.y, w: w ?? 0, h: h ?? 0 };
}

export function absPoints(s) {
  if (Array.isArray(s.points) && s.points.length > 0) {
    return s.points.map(([px, py]) => [s.x + px, s.y + py]);
  }
  return [[s.x, s.y], [s.x + (s.w ?? 0), s.y + (s.h ?? 0)]];
}

function wrap(text, width, fontSize) {
  const perLine = Math.max(1, Math.floor(width / (CHAR_WIDTH * fontSize)));
  const out = [];
  for (const para of String(text).split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      const next = line ? line + ' ' + word : word;
      if ([...next].length <= perLine || !line) {
        line = next;
      } else {
        out.push(line);
        line = word;
      }
      while ([...line].length > perLine) {
        const chars = [...line];
        out.push(chars.slice(0, perLine).join(''));
        line = chars.slice(perLine).join('');
      }
    }
    out.push(line);
  }
  return out;
}

function textEl(lines, x, y, fontSize, color) {
  const t = svg('text', { x, y: y + fontSize, 'font-size': fontSize, 'font-family': 'sans-serif', fill: color });
  lines.forEach((line, i) => {
    const span = svg('tspan', { x, dy: i === 0 ? 0 : LINE_HEIGHT * fontSize });
    span.textContent = line || '\u200b';
    t.append(span);
  });
  return t;
}

/** One shape as `<g data-id data-type>`; `hit` adds wide invisible strokes for picking thin lines. */
export function shapeEl(s, { hit = true } = {}) {
  const st = s.style ?? {};
  const stroke = st.stroke ?? '#000000';
  const sw = st.strokeWidth ?? 2;
  const fill = st.fill ?? (s.type === 'sticky' ? STICKY_FILL : 'none');
  const b = box(s);
  const g = svg('g', { 'data-id': s.id, 'data-type': s.type, opacity: st.opacity });
  if (s.rotation) g.setAttribute('transform', `rotate(${s.rotation} ${b.x + b.w / 2} ${b.y + b.h / 2})`);
  const paint = { stroke, 'stroke-width': sw, fill };
  switch (s.type) {
    case 'rect':
      g.append(svg('rect', { x: b.x, y: b.y, width: b.w, height: b.h, ...paint, 'pointer-events': 'all' }));
      break;
    case 'ellipse':
      g.append(svg('ellipse', { cx: b.x + b.w / 2, cy: b.y + b.h / 2, rx: b.w / 2, ry: b.h / 2, ...paint,
        'pointer-events': 'all' }));
      break;
    case 'line':
    case 'arrow': {
      const pts = absPoints(s);
      const attrs = { points: pts.map((p) => p.join(',')).join(' '), fill: 'none' };
      if (hit) g.append(svg('polyline', { ...attrs, stroke: 'transparent', 'stroke-width': Math.max(12, sw + 8) }));
      g.append(svg('polyline', { ...attrs, stroke, 'stroke-width': sw, 'stroke-linejoin': 'round' }));
      if (s.type === 'arrow' && pts.length >= 2) g.append(arrowHead(pts, stroke, sw));
      break;
    }
    case 'path': {
      const pts = absPoints(s);
      const d = pts.length === 1
        ? `M${pts[0][0]},${pts[0][1]} l0.01,0`
        : 'M' + pts.map((p) => p.join(',')).join(' L');
      if (hit) g.append(svg('path', { d, fill: 'none', stroke: 'transparent', 'stroke-width': Math.max(12, sw + 8) }));
      g.append(svg('path', { d, fill: 'none', stroke, 'stroke-width': sw, 'stroke-linecap': 'round',
        'stroke-linejoin': 'round' }));
      break;
    }
    case 'text': {
      const fs = st.fontSize ?? 16;
      g.append(svg('rect', { x: b.x, y: b.y, width: b.w, height: b.h, fill, stroke: 'none', 'pointer-events': 'all' }));
      g.append(textEl(String(s.text ?? '').split('\n'), b.x, b.y, fs, stroke));
      break;
    }
    case 'sticky': {
      const fs = st.fontSize ?? 16;
      g.append(svg('rect', { x: b.x, y: b.y, width: b.w, height: b.h, fill, stroke: 'none', 'pointer-events': 'all',
        class: 'sticky-paper' }));
      if (s.text) g.append(textEl(wrap(s.text, Math.max(1, b.w - 24), fs), b.x + 12, b.y + 12, fs, stroke));
      break;
    }
    default:
      g.append(svg('rect', { x: b.x, y: b.y, width: b.w, height: b.h, fill: 'none', stroke: '#999' }));
  }
  return g;
}

function arrowHead(pts, color, sw) {
  const [x2, y2] = pts[pts.length - 1];
  let i = pts.length - 2;
  while (i > 0 && pts[i][0] === x2 && pts[i][1] === y2) i--;
  const [x1, y1] = pts[i];
  const angle = Math.atan2(y2 - y1, x2 - x1);
  const len = 4 * Math.max(1, sw);
  const a = (d) => [x2 - len * Math.cos(angle + d), y2 - len * Math.sin(angle + d)];
  const [l, r] = [a(0.45), a(-0.45)];
  return svg('polygon', { points: `${x2},${y2} ${l.join(',')} ${r.join(',')}`, fill: color, stroke: 'none' });
}
