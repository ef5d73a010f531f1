// Calls to the JSON API (docs/community-teams.md, "Visit app"). Every failure becomes an
// ApiError the app can act on: no network, the device refused (wipe), or a server
// answer with its JSON {detail, code}.

export const DEVICE_GONE = new Set(["device_unknown", "device_revoked", "device_expired"]);

export class ApiError extends Error {
  constructor({ status = 0, code = "", detail = "", network = false }) {
    super(detail || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.network = network;
  }

  get deviceGone() {
    return this.status === 401 && DEVICE_GONE.has(this.code);
  }
}

function csrfToken(config) {
  // The cookie is the current token even when the page came from the offline cache
  // (logging in rotates it); the token rendered into the page is the fallback.
  const prefix = `${config.csrfCookie}=`;
  for (const part of document.cookie.split(";")) {
    const trimmed = part.trim();
    if (trimmed.startsWith(prefix)) return decodeURIComponent(trimmed.slice(prefix.length));
  }
  return config.csrfToken;
}

async function call(url, { method = "GET", body, token, config } = {}) {
  // The catalogue's names come in the page's language.
  const headers = { Accept: "application/json", "Accept-Language": document.documentElement.lang || "vi" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Device ${token}`;
  else if (method !== "GET") headers["X-CSRFToken"] = csrfToken(config);
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (error) {
    throw new ApiError({ network: true, detail: String(error) });
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    throw new ApiError({
      status: response.status,
      code: (data && data.code) || "",
      detail: (data && data.detail) || response.statusText,
    });
  }
  return data;
}

export function deviceRegister(config, name) {
  return call(config.api.devices, { method: "POST", body: { name }, config });
}

export function deviceRevoke(config, device) {
  return call(`${config.api.devices}/${encodeURIComponent(device.device_id)}`, {
    method: "DELETE",
    token: device.token,
    config,
  });
}

export function syncData(config, token, cursor) {
  const url = cursor ? `${config.api.syncData}?since=${encodeURIComponent(cursor)}` : config.api.syncData;
  return call(url, { token, config });
}

export function visitsSync(config, token, visits) {
  return call(config.api.visitsSync, { method: "POST", body: { visits }, token, config });
}
