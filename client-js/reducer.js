// FlowState canvas reducer, RFC 8785 canonical JSON and the state hash, in plain JavaScript.
//
// This is the JS twin of the Java reducer in shared/src/main/java/io/flowstate/shared/canvas
// (Reducer, OpParser, ShapeSchema, CanvasState, CanonicalJson, CanvasHash): the same validation
// (same error codes, same messages), the same normalized state and the same hash. The contract is
// docs/CANVAS.md; shared/src/test/resources/reducer-vectors.json and canvas-vectors.json check
// that both implementations agree. No dependencies: works in browsers and Node >= 20.

/** The limits of the Java `CanvasLimits.defaults()`; lengths count Unicode code points. */
export const DEFAULT_LIMITS = Object.freeze({
  maxIdLength: 64,
  maxBatchOps: 500,
  maxTextChars: 10_000,
  maxPoints: 10_000,
  maxStyleStringLength: 128,
  maxZLength: 256,
  maxShapes: 100_000,
});

/** No size limits (Java `CanvasLimits.replay()`): for ops the server already committed. */
export const REPLAY_LIMITS = Object.freeze({
  maxIdLength: Infinity,
  maxBatchOps: Infinity,
  maxTextChars: Infinity,
  maxPoints: Infinity,
  maxStyleStringLength: Infinity,
  maxZLength: Infinity,
  maxShapes: Infinity,
});

/** The hash of the empty canvas, `sha256("[]")`. */
export const EMPTY_HASH = '4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945';

/**
 * An error with a protocol code (`invalid_op`, `not_found`, `conflict`, `too_large`, … from
 * PROTOCOL.md, or a client-side code such as `stale_state`). Extra fields (room, id, op, …) are
 * copied onto the error.
 */
export class FlowStateError extends Error {
  constructor(code, message, fields = undefined) {
    super(message);
    this.name = 'FlowStateError';
    this.code = code;
    if (fields) {
      for (const [k, v] of Object.entries(fields)) {
        if (v !== undefined && k !== 'message' && k !== 'code') {
          this[k] = v;
        }
      }
    }
  }
}

const TYPES = ['rect', 'ellipse', 'line', 'arrow', 'text', 'sticky', 'path'];
const FIELDS = ['id', 'type', 'x', 'y', 'w', 'h', 'rotation', 'z', 'style', 'text', 'points'];
const STYLE_FIELDS = ['stroke', 'fill', 'strokeWidth', 'opacity', 'fontSize'];
const SETTABLE = FIELDS.slice(2);
const TYPE_SET = new Set(TYPES);
const FIELD_SET = new Set(FIELDS);
const STYLE_SET = new Set(STYLE_FIELDS);
const POINT_TYPES = new Set(['line', 'arrow', 'path']);
const KINDS = 'create_shape, update_shape, move_shape, resize_shape, delete_shape, batch';

const invalid = (message) => new FlowStateError('invalid_op', message);
const tooLarge = (message) => new FlowStateError('too_large', message);
const prefixed = (prefix, e) => new FlowStateError(e.code, prefix + e.message);

const own = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);
const get = (obj, key) => (own(obj, key) ? obj[key] : undefined);
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// Numbers: the rules of NumberRule, normalized as Numbers.canonical (-0 becomes 0). JavaScript has
// one number type, so "1.0 becomes 1" needs nothing more: both print as 1.

const NUMBER_RULES = {
  FINITE: [' must be a finite number', () => true],
  NON_NEGATIVE: [' must be a finite number >= 0', (v) => v >= 0],
  UNIT: [' must be a finite number in [0, 1]', (v) => v >= 0 && v <= 1],
  POSITIVE: [' must be a finite number > 0', (v) => v > 0],
};

function checkNumber(value, path, rule) {
  const [message, accepts] = NUMBER_RULES[rule];
  if (typeof value !== 'number' || !Number.isFinite(value) || !accepts(value)) {
    throw invalid(path + message);
  }
  return value === 0 ? 0 : value;
}

// ---------------------------------------------------------------------------------------------
// Strings: lengths in code points, well-formed Unicode and no NUL (Text.problem).

/** Whether `s` has at most `max` code points (an unpaired surrogate counts as one). */
function fits(s, max) {
  if (s.length <= max) {
    return true;
  }
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n <= max;
}

/** Null when `s` is storable, else why not (the Java `Text.problem`). */
export function textProblem(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) {
      return 'must not contain the NUL character';
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
      } else {
        return 'must be valid Unicode (it has an unpaired surrogate)';
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return 'must be valid Unicode (it has an unpaired surrogate)';
    }
  }
  return null;
}

function rank(c) {
  if (c < 0xd800) {
    return c;
  }
  return c <= 0xdfff ? c + 0x2000 : c - 0x800;
}

/**
 * Compares strings by Unicode code point (how shape ids are sorted), not by UTF-16 unit as
 * `<` does: U+FFFF sorts before U+1F600.
 */
export function compareCodePoints(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      return rank(ca) - rank(cb);
    }
  }
  return a.length - b.length;
}

// ---------------------------------------------------------------------------------------------
// Shape schema (ShapeSchema.java): validates and returns fresh, frozen, normalized copies with
// fields in canonical order.

function deepFreeze(shape) {
  if (shape.style) {
    Object.freeze(shape.style);
  }
  if (shape.points) {
    for (const p of shape.points) {
      Object.freeze(p);
    }
    Object.freeze(shape.points);
  }
  return Object.freeze(shape);
}

class ShapeSchema {
  constructor(limits) {
    this.limits = limits;
  }

  shape(node, path) {
    const input = this.#object(node, path);
    knownFields(input, FIELD_SET, path);
    const out = {};
    out.id = this.id(required(input, 'id', path), path + '.id');
    const type = this.#type(required(input, 'type', path), path + '.type');
    out.type = type;
    for (const name of SETTABLE) {
      const value = name === 'x' || name === 'y' ? required(input, name, path) : get(input, name);
      if (value !== undefined) {
        out[name] = this.#value(name, value, path + '.' + name);
      }
    }
    if (own(out, 'points') && !allowsPoints(type)) {
      throw pointsNotAllowed(path + '.points');
    }
    return deepFreeze(out);
  }

  set(node, path) {
    const input = this.#object(node, path);
    for (const name of Object.keys(input)) {
      if (name === 'id' || name === 'type') {
        throw invalid(path + '.' + name + ' cannot be changed');
      }
      if (!FIELD_SET.has(name)) {
        throw invalid(path + " has unknown field '" + name + "'");
      }
    }
    const out = {};
    for (const name of SETTABLE) {
      const value = get(input, name);
      if (value === undefined) {
        continue;
      }
      if (value !== null) {
        out[name] = this.#value(name, value, path + '.' + name);
      } else if (name === 'x' || name === 'y') {
        throw invalid(path + '.' + name + ' cannot be null');
      } else {
        out[name] = null;
      }
    }
    if (out.style) {
      Object.freeze(out.style);
    }
    if (out.points) {
      out.points.forEach(Object.freeze);
      Object.freeze(out.points);
    }
    return Object.freeze(out);
  }

  id(node, path) {
    if (typeof node !== 'string' || node.length === 0 || !fits(node, this.limits.maxIdLength)
        || textProblem(node) !== null) {
      throw invalid(path + ' must be a string of 1 to ' + this.limits.maxIdLength + ' characters');
    }
    return node;
  }

  #value(name, value, path) {
    switch (name) {
      case 'x':
      case 'y':
      case 'rotation':
        return checkNumber(value, path, 'FINITE');
      case 'w':
      case 'h':
        return checkNumber(value, path, 'NON_NEGATIVE');
      case 'z':
        return string(value, this.limits.maxZLength, 'invalid_op', path);
      case 'style':
        return this.#style(value, path);
      case 'text':
        return string(value, this.limits.maxTextChars, 'too_large', path);
      case 'points':
        return this.#points(value, path);
      default:
        throw new Error('not a settable field: ' + name);
    }
  }

  #style(node, path) {
    const input = this.#object(node, path);
    knownFields(input, STYLE_SET, path);
    const out = {};
    for (const name of STYLE_FIELDS) {
      const value = get(input, name);
      if (value === undefined) {
        continue;
      }
      const p = path + '.' + name;
      switch (name) {
        case 'stroke':
        case 'fill':
          out[name] = string(value, this.limits.maxStyleStringLength, 'invalid_op', p);
          break;
        case 'strokeWidth':
          out[name] = checkNumber(value, p, 'NON_NEGATIVE');
          break;
        case 'opacity':
          out[name] = checkNumber(value, p, 'UNIT');
          break;
        default:
          out[name] = checkNumber(value, p, 'POSITIVE');
      }
    }
    return out;
  }

  #points(node, path) {
    if (!Array.isArray(node)) {
      throw invalid(path + ' must be an array of [x, y] pairs');
    }
    if (node.length > this.limits.maxPoints) {
      throw tooLarge(path + ' must have at most ' + this.limits.maxPoints + ' points');
    }
    const out = new Array(node.length);
    for (let i = 0; i < node.length; i++) {
      const pair = node[i];
      if (!Array.isArray(pair) || pair.length !== 2 || !isFinite(pair[0]) || !isFinite(pair[1])) {
        throw invalid(path + '[' + i + '] must be an [x, y] pair of finite numbers');
      }
      out[i] = [pair[0] === 0 ? 0 : pair[0], pair[1] === 0 ? 0 : pair[1]];
    }
    return out;
  }

  #type(node, path) {
    if (typeof node !== 'string' || !TYPE_SET.has(node)) {
      throw invalid(path + ' must be one of ' + TYPES.join(', '));
    }
    return node;
  }

  #object(node, path) {
    if (!isObject(node)) {
      throw invalid(path + ' must be an object');
    }
    return node;
  }
}

function isFinite(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

function string(node, max, tooLongCode, path) {
  if (typeof node !== 'string') {
    throw invalid(path + ' must be a string');
  }
  if (!fits(node, max)) {
    throw new FlowStateError(tooLongCode, path + ' must be at most ' + max + ' characters');
  }
  const problem = textProblem(node);
  if (problem !== null) {
    throw invalid(path + ' ' + problem);
  }
  return node;
}

function required(input, name, path) {
  const value = get(input, name);
  if (value === undefined) {
    throw invalid(path + '.' + name + ' is required');
  }
  return value;
}

function knownFields(input, known, path) {
  for (const name of Object.keys(input)) {
    if (!known.has(name)) {
      throw invalid(path + " has unknown field '" + name + "'");
    }
  }
}

function allowsPoints(type) {
  return POINT_TYPES.has(type);
}

function pointsNotAllowed(path) {
  return invalid(path + ' is allowed only for line, arrow and path shapes');
}

/** A new frozen shape with `set` applied over `shape`; null values remove fields. */
function merge(shape, set) {
  const out = {};
  for (const name of FIELDS) {
    const value = own(set, name) ? set[name] : get(shape, name);
    if (value !== undefined && value !== null) {
      out[name] = value;
    }
  }
  return Object.freeze(out);
}

// ---------------------------------------------------------------------------------------------
// Canonical JSON (RFC 8785) and hashing.

/**
 * The RFC 8785 (JCS) form of a JSON value: keys sorted by UTF-16 units, no whitespace, strings
 * and numbers exactly as ECMAScript's JSON.stringify writes them (which is what JCS specifies).
 * Keys whose value is `undefined` are skipped, as JSON.stringify does.
 */
export function canonicalize(value) {
  if (value === null) {
    return 'null';
  }
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TypeError('JSON has no ' + value);
      }
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          out += (i > 0 ? ',' : '') + canonicalize(value[i]);
        }
        return out + ']';
      }
      const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        out += (i > 0 ? ',' : '') + JSON.stringify(keys[i]) + ':' + canonicalize(value[keys[i]]);
      }
      return out + '}';
    }
    default:
      throw new TypeError('not JSON data: ' + typeof value);
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex SHA-256 of the UTF-8 bytes of `text` (async: Web Crypto). */
export async function sha256Hex(text) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle) {
    throw new Error('Web Crypto (globalThis.crypto.subtle) is not available');
  }
  const digest = new Uint8Array(await subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let hex = '';
  for (const b of digest) {
    hex += HEX[b];
  }
  return hex;
}

/** The canvas hash of a `shapes` array (sorted by the caller, as on the wire). */
export function hashShapes(shapes) {
  return sha256Hex(canonicalize(shapes));
}

// Canonical text per stored shape; shapes are frozen and shared, so identity is a safe key.
const canonicalCache = new WeakMap();

function canonicalShape(shape) {
  let text = canonicalCache.get(shape);
  if (text === undefined) {
    text = canonicalize(shape);
    canonicalCache.set(shape, text);
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Canvas state.

/**
 * The shapes of one canvas by id. A root state (`CanvasState.empty()`, `fromJSON`) is changed in
 * place by `Reducer.apply`. `fork()` makes a cheap overlay over a root: reads fall through to the
 * root, writes stay in the overlay, and the root is never touched. A fork is valid only while its
 * root is unchanged: reading it after the root changed throws `FlowStateError('stale_state')`
 * rather than mixing two versions (call `toJSON()` to keep a copy). Shapes handed out are frozen.
 */
export class CanvasState {
  #base;
  #baseGen;
  #shapes;
  #gen = 0;
  #sorted = null;
  #added = null;
  #removed = null;

  constructor(base = null) {
    this.#base = base;
    this.#shapes = new Map();
    if (base) {
      this.#baseGen = base.#gen;
      this.#added = new Set();
      this.#removed = new Set();
    }
  }

  /** A new empty root state. */
  static empty() {
    return new CanvasState();
  }

  /**
   * A root state from `{"shapes": [...]}` in any order, every shape validated as `create_shape`
   * would be (default: no size limits, as for a snapshot the server sent); duplicate ids and any
   * other fault are `invalid_op` (Java `CanvasState.fromJson`).
   */
  static fromJSON(json, limits = REPLAY_LIMITS) {
    if (!isObject(json) || Object.keys(json).length !== 1 || !own(json, 'shapes')) {
      throw invalid('a canvas state must be an object {"shapes": [...]}');
    }
    const array = json.shapes;
    if (!Array.isArray(array)) {
      throw invalid('shapes must be an array');
    }
    const schema = new ShapeSchema(limits);
    const state = new CanvasState();
    for (let i = 0; i < array.length; i++) {
      const path = 'shapes[' + i + ']';
      let shape;
      try {
        shape = schema.shape(array[i], path);
      } catch (e) {
        throw e instanceof FlowStateError ? invalid(e.message) : e;
      }
      if (state.#shapes.has(shape.id)) {
        throw invalid(path + ".id '" + shape.id + "' is a duplicate");
      }
      state.#shapes.set(shape.id, shape);
    }
    return state;
  }

  /** A cheap overlay over this root (see the class comment); forks of forks are not supported. */
  fork() {
    if (this.#base) {
      throw new Error('cannot fork a fork');
    }
    return new CanvasState(this);
  }

  /** Whether this state is a fork. */
  get isFork() {
    return this.#base !== null;
  }

  get size() {
    this.#check();
    return this.#base ? this.#base.#shapes.size + this.#added.size - this.#removed.size : this.#shapes.size;
  }

  has(id) {
    return this.get(id) !== undefined;
  }

  /** The frozen shape `id`, or undefined. */
  get(id) {
    this.#check();
    if (this.#base && this.#shapes.has(id)) {
      return this.#shapes.get(id) ?? undefined;
    }
    return (this.#base ? this.#base.#shapes : this.#shapes).get(id);
  }

  /** The shape ids in code point order (a fresh array). */
  ids() {
    this.#check();
    return this.#ids().slice();
  }

  /** The frozen shapes sorted by id in code point order, as the wire `state.shapes`. */
  shapes() {
    this.#check();
    return this.#ids().map((id) => this.get(id));
  }

  /** `{"shapes": [...]}` as on the wire; the shapes are frozen and may be kept. */
  toJSON() {
    return { shapes: this.shapes() };
  }

  /** The RFC 8785 text of the sorted shapes array, which the hash digests. */
  canonical() {
    this.#check();
    const ids = this.#ids();
    let out = '[';
    for (let i = 0; i < ids.length; i++) {
      out += (i > 0 ? ',' : '') + canonicalShape(this.get(ids[i]));
    }
    return out + ']';
  }

  /** The canvas hash (lowercase hex SHA-256 of `canonical()`), taken now, resolved later. */
  hash() {
    return sha256Hex(this.canonical());
  }

  /** Stores `shape` under `id`, or removes `id` when `shape` is null (reducer use only). */
  write(id, shape) {
    this.#check();
    if (!this.#base) {
      const had = this.#shapes.has(id);
      if (shape === null) {
        this.#shapes.delete(id);
      } else {
        this.#shapes.set(id, shape);
      }
      if (had !== (shape !== null)) {
        this.#sorted = null;
      }
      this.#gen++;
      return;
    }
    const inBase = this.#base.#shapes.has(id);
    if (shape !== null) {
      this.#shapes.set(id, shape);
      if (inBase) {
        this.#removed.delete(id);
      } else {
        this.#added.add(id);
      }
    } else if (inBase) {
      this.#shapes.set(id, null);
      this.#removed.add(id);
    } else {
      this.#shapes.delete(id);
      this.#added.delete(id);
    }
    this.#sorted = null;
  }

  #check() {
    if (this.#base && this.#base.#gen !== this.#baseGen) {
      throw new FlowStateError('stale_state', 'this canvas state was superseded by a newer one; '
          + 'read the current state, or keep toJSON() of an old one');
    }
  }

  #ids() {
    if (this.#sorted) {
      return this.#sorted;
    }
    if (!this.#base) {
      this.#sorted = [...this.#shapes.keys()].sort(compareCodePoints);
      return this.#sorted;
    }
    const base = this.#base.#ids();
    if (this.#added.size === 0 && this.#removed.size === 0) {
      this.#sorted = base;
      return base;
    }
    const added = [...this.#added].sort(compareCodePoints);
    const out = [];
    let j = 0;
    for (const id of base) {
      if (this.#removed.has(id)) {
        continue;
      }
      while (j < added.length && compareCodePoints(added[j], id) < 0) {
        out.push(added[j++]);
      }
      out.push(id);
    }
    while (j < added.length) {
      out.push(added[j++]);
    }
    this.#sorted = out;
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// The reducer (Reducer.java + OpParser.java).

/**
 * Validates ops and applies them to a `CanvasState`. `parse` checks structure only and returns
 * the normalized op (the wire form the server stores, frozen); `apply` checks it against the
 * canvas and changes the state in place, all or nothing. Both throw `FlowStateError` with the
 * codes of PROTOCOL.md; a failing batch op's message starts with `ops[i]: `.
 */
export class Reducer {
  constructor(limits = DEFAULT_LIMITS) {
    this.limits = Object.freeze({ ...DEFAULT_LIMITS, ...limits });
    this.schema = new ShapeSchema(this.limits);
  }

  /** Validates the structure of op JSON and returns its normalized form. */
  parse(node) {
    if (isObject(node) && get(node, 'kind') === 'batch') {
      return this.#parseBatch(node);
    }
    return this.#parseSingle(node);
  }

  /** Applies a parsed op to `state` in place; on any error `state` is unchanged. */
  apply(state, op) {
    const journal = [];
    const write = (id, shape) => {
      journal.push([id, state.get(id) ?? null]);
      state.write(id, shape);
    };
    if (op.kind !== 'batch') {
      this.#applySingle(state, write, op);
      return;
    }
    if (op.ops.length === 0) {
      throw invalid('ops must hold at least one op');
    }
    if (op.ops.length > this.limits.maxBatchOps) {
      throw tooLarge('a batch may hold at most ' + this.limits.maxBatchOps + ' ops');
    }
    for (let i = 0; i < op.ops.length; i++) {
      try {
        this.#applySingle(state, write, op.ops[i]);
      } catch (e) {
        for (let j = journal.length - 1; j >= 0; j--) {
          state.write(journal[j][0], journal[j][1]);
        }
        throw e instanceof FlowStateError ? prefixed('ops[' + i + ']: ', e) : e;
      }
    }
  }

  /** `parse` then `apply`. */
  reduce(state, node) {
    this.apply(state, this.parse(node));
  }

  #parseBatch(node) {
    fields(node, 'batch', ['ops']);
    const ops = get(node, 'ops');
    if (!Array.isArray(ops)) {
      throw invalid('ops must be an array of ops');
    }
    if (ops.length === 0) {
      throw invalid('ops must hold at least one op');
    }
    if (ops.length > this.limits.maxBatchOps) {
      throw tooLarge('a batch may hold at most ' + this.limits.maxBatchOps + ' ops');
    }
    const parsed = new Array(ops.length);
    for (let i = 0; i < ops.length; i++) {
      try {
        parsed[i] = this.#parseSingle(ops[i]);
      } catch (e) {
        throw e instanceof FlowStateError ? prefixed('ops[' + i + ']: ', e) : e;
      }
    }
    return Object.freeze({ kind: 'batch', ops: Object.freeze(parsed) });
  }

  #parseSingle(node) {
    if (!isObject(node)) {
      throw invalid('an op must be a JSON object');
    }
    const kind = get(node, 'kind');
    if (kind === undefined) {
      throw invalid('kind is required');
    }
    if (typeof kind !== 'string') {
      throw invalid('kind must be a string');
    }
    switch (kind) {
      case 'create_shape':
        fields(node, kind, ['shape']);
        return Object.freeze({ kind, shape: this.schema.shape(get(node, 'shape'), 'shape') });
      case 'update_shape': {
        fields(node, kind, ['id', 'set']);
        const id = this.#id(node);
        return Object.freeze({ kind, id, set: this.schema.set(opField(node, 'set'), 'set') });
      }
      case 'move_shape': {
        fields(node, kind, ['id', 'x', 'y']);
        const id = this.#id(node);
        const x = checkNumber(opField(node, 'x'), 'x', 'FINITE');
        const y = checkNumber(opField(node, 'y'), 'y', 'FINITE');
        return Object.freeze({ kind, id, x, y });
      }
      case 'resize_shape': {
        fields(node, kind, ['id', 'w', 'h', 'x', 'y']);
        const op = { kind, id: this.#id(node) };
        op.w = checkNumber(opField(node, 'w'), 'w', 'NON_NEGATIVE');
        op.h = checkNumber(opField(node, 'h'), 'h', 'NON_NEGATIVE');
        if (own(node, 'x')) {
          op.x = checkNumber(node.x, 'x', 'FINITE');
        }
        if (own(node, 'y')) {
          op.y = checkNumber(node.y, 'y', 'FINITE');
        }
        return Object.freeze(op);
      }
      case 'delete_shape':
        fields(node, kind, ['id']);
        return Object.freeze({ kind, id: this.#id(node) });
      case 'batch':
        throw invalid('a batch cannot contain a batch');
      default:
        throw invalid('kind must be one of ' + KINDS);
    }
  }

  #id(node) {
    return this.schema.id(opField(node, 'id'), 'id');
  }

  #applySingle(state, write, op) {
    switch (op.kind) {
      case 'create_shape': {
        const id = op.shape.id;
        if (state.has(id)) {
          throw new FlowStateError('conflict', "shape '" + id + "' already exists");
        }
        if (state.size >= this.limits.maxShapes) {
          throw tooLarge('a canvas may hold at most ' + this.limits.maxShapes + ' shapes');
        }
        write(id, op.shape);
        return;
      }
      case 'update_shape':
        this.#update(state, write, op.id, op.set);
        return;
      case 'move_shape':
        this.#update(state, write, op.id, { x: op.x, y: op.y });
        return;
      case 'resize_shape': {
        const set = {};
        if (op.x !== undefined) {
          set.x = op.x;
        }
        if (op.y !== undefined) {
          set.y = op.y;
        }
        set.w = op.w;
        set.h = op.h;
        this.#update(state, write, op.id, set);
        return;
      }
      case 'delete_shape':
        existing(state, op.id);
        write(op.id, null);
        return;
      default:
        throw invalid('a batch cannot contain a batch');
    }
  }

  #update(state, write, id, set) {
    const before = existing(state, id);
    const points = get(set, 'points');
    if (points !== undefined && points !== null && !allowsPoints(before.type)) {
      throw pointsNotAllowed('set.points');
    }
    write(id, merge(before, set));
  }
}

function existing(state, id) {
  const shape = state.get(id);
  if (shape === undefined) {
    throw new FlowStateError('not_found', "shape '" + id + "' does not exist");
  }
  return shape;
}

function opField(node, field) {
  const value = get(node, field);
  if (value === undefined) {
    throw invalid(field + ' is required');
  }
  return value;
}

function fields(node, kind, allowed) {
  for (const name of Object.keys(node)) {
    if (name !== 'kind' && !allowed.includes(name)) {
      throw invalid(kind + " has unknown field '" + name + "'");
    }
  }
}
