// HTTP API client of the whiteboard app: accounts (signup/login/refresh/logout), workspaces,
// canvases and the read-only room history/export endpoints (gateway/src/main/resources/openapi.json).
// The session (access + refresh token) is kept in localStorage; a 401 triggers one refresh.

const SESSION_KEY = 'flowstate.session';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || 'http_' + status;
  }
}

export class Api {
  #session = null;
  #refreshing = null;
  /** Called with the new session (or null when signed out) whenever it changes. */
  onSession = () => {};

  constructor() {
    try {
      this.#session = JSON.parse(localStorage.getItem(SESSION_KEY) || 'null');
    } catch {
      this.#session = null;
    }
  }

  get session() {
    return this.#session;
  }

  get token() {
    return this.#session?.accessToken ?? null;
  }

  get user() {
    return this.#session?.user ?? null;
  }

  #store(session) {
    this.#session = session;
    if (session) {
      localStorage.setItem(SESSION_KEY, JSON.stringify(session));
    } else {
      localStorage.removeItem(SESSION_KEY);
    }
    this.onSession(session);
  }

  /** Whether the server lets guests in (dev mode): guest reads of an unknown open room are 404, not 401. */
  async guestAccess() {
    try {
      const res = await fetch('/v1/rooms/__flowstate_probe__/state');
      return res.status !== 401;
    } catch {
      return false;
    }
  }

  async signup(email, password, name) {
    const body = { email, password };
    if (name) body.name = name;
    this.#store(await this.#request('POST', '/v1/auth/signup', body, { auth: false }));
    return this.#session;
  }

  async login(email, password) {
    this.#store(await this.#request('POST', '/v1/auth/login', { email, password }, { auth: false }));
    return this.#session;
  }

  async logout() {
    const s = this.#session;
    this.#store(null);
    if (s?.refreshToken) {
      await this.#request('POST', '/v1/auth/logout', { refreshToken: s.refreshToken }, { auth: false }).catch(() => {});
    }
  }

  /** Exchanges the refresh token for a new session (single flight); signs out when it is refused. */
  refresh() {
    if (!this.#session?.refreshToken) {
      return Promise.reject(new ApiError(401, 'unauthorized', 'not signed in'));
    }
    if (!this.#refreshing) {
      const refreshToken = this.#session.refreshToken;
      this.#refreshing = this.#request('POST', '/v1/auth/refresh', { refreshToken }, { auth: false })
        .then((s) => {
          this.#store({ ...s, user: s.user ?? this.#session?.user });
          return this.#session;
        }, (e) => {
          if (e.status === 401 || e.status === 404) {
            this.#store(null);
          }
          throw e;
        })
        .finally(() => {
          this.#refreshing = null;
        });
    }
    return this.#refreshing;
  }

  /** Accepts a workspace invite (`?invite=<token>` links): {workspace, role}. */
  acceptInvite(token) {
    return this.#request('POST', `/v1/invites/${enc(token)}/accept`);
  }

  workspaces() {
    return this.#request('GET', '/v1/workspaces').then((r) => r.workspaces);
  }

  createWorkspace(name) {
    return this.#request('POST', '/v1/workspaces', { name });
  }

  canvases(workspaceId) {
    return this.#request('GET', `/v1/workspaces/${enc(workspaceId)}/canvases`).then((r) => r.canvases);
  }

  createCanvas(workspaceId, name) {
    return this.#request('POST', `/v1/workspaces/${enc(workspaceId)}/canvases`, { name });
  }

  canvas(canvasId) {
    return this.#request('GET', `/v1/canvases/${enc(canvasId)}`);
  }

  renameCanvas(canvasId, name) {
    return this.#request('PATCH', `/v1/canvases/${enc(canvasId)}`, { name });
  }

  /** The room's state at `version` (time travel): {version, state: {shapes}, hash}. */
  roomState(room, version) {
    const q = version ? `?version=${version}` : '';
    return this.#request('GET', `/v1/rooms/${enc(room)}/state${q}`, undefined, { auth: 'optional' });
  }

  /** A page of committed op events: {ops, next}. */
  roomOps(room, after, limit) {
    return this.#request('GET', `/v1/rooms/${enc(room)}/ops?after=${after}&limit=${limit}`, undefined,
      { auth: 'optional' });
  }

  /** The export as a Blob (`format` svg or png) at `version` (the head when absent). */
  async exportBlob(room, format, version) {
    const q = version ? `?version=${version}` : '';
    const res = await this.#fetch('GET', `/v1/rooms/${enc(room)}/export.${format}${q}`, undefined, 'optional');
    if (!res.ok) {
      throw await errorOf(res);
    }
    return res.blob();
  }

  async #request(method, path, body, { auth = true } = {}) {
    const res = await this.#fetch(method, path, body, auth);
    if (!res.ok) {
      throw await errorOf(res);
    }
    return res.status === 204 ? null : res.json();
  }

  async #fetch(method, path, body, auth) {
    const send = () => {
      const headers = {};
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (auth && this.token) headers.Authorization = 'Bearer ' + this.token;
      return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    };
    let res = await send();
    if (res.status === 401 && auth && this.#session?.refreshToken) {
      await this.refresh().catch(() => null);
      if (this.token) res = await send();
    }
    return res;
  }
}

async function errorOf(res) {
  const body = await res.json().catch(() => ({}));
  return new ApiError(res.status, body.code, body.message);
}

function enc(s) {
  return encodeURIComponent(s);
}
