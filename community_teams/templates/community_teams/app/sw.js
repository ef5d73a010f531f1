{% autoescape off %}// Service worker of the visit app (community_teams/pwa.py renders this file).
// The cache name carries a fingerprint of every cached file, so a change to any of them
// installs a new cache and the old ones are removed when the new worker takes over.
const PREFIX = "{{ cache_prefix }}";
const CACHE = PREFIX + "{{ version }}";
const SHELL = {{ shell_url }};
const ASSETS = {{ assets }};
const API = {{ api_prefix }};
const NETWORK_TIMEOUT_MS = 6000;
const ASSET_URLS = new Set(ASSETS.map((url) => new URL(url, self.location.href).href));

// The shell is the signed-in app page: keep it only if that is what came back
// (not the login page after a redirect, not an error page).
function isShell(response) {
  return response && response.ok && !response.redirected && response.type === "basic";
}

async function previousCache() {
  const names = (await caches.keys()).filter((name) => name.startsWith(PREFIX) && name !== CACHE);
  return names.length ? caches.open(names[names.length - 1]) : null;
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(ASSETS);
      let shell = null;
      try {
        shell = await fetch(SHELL, { credentials: "same-origin", cache: "no-store" });
      } catch (error) {
        shell = null;
      }
      if (isShell(shell)) {
        await cache.put(SHELL, shell);
      } else {
        // No fresh shell (signed out, or the network dropped): carry the previous cache
        // over whole, so the old shell still finds the files it names.
        const old = await previousCache();
        if (old) {
          for (const request of await old.keys()) {
            if (!(await cache.match(request))) await cache.put(request, await old.match(request));
          }
        }
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

// The app page: the network first (fresh page, fresh CSRF token), the cached shell when
// offline, slow (over NETWORK_TIMEOUT_MS), failing, or signed out: the device token
// carries on without the site session.
async function shellResponse(event) {
  const cache = await caches.open(CACHE);
  const network = fetch(event.request).then(async (response) => {
    if (isShell(response)) await cache.put(SHELL, response.clone());
    return response;
  });
  event.waitUntil(network.catch(() => null));
  const cached = await cache.match(SHELL);
  if (!cached) return network;
  try {
    const response = await withTimeout(network, NETWORK_TIMEOUT_MS);
    if (response.type === "opaqueredirect" || response.redirected || response.status >= 500) return cached;
    return response;
  } catch (error) {
    return cached;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin === self.location.origin && url.pathname.startsWith(API)) return; // the app handles these
  if (request.mode === "navigate" && url.origin === self.location.origin && url.pathname === SHELL) {
    event.respondWith(shellResponse(event));
    return;
  }
  if (ASSET_URLS.has(url.origin + url.pathname)) event.respondWith(cacheFirst(request));
});
{% endautoescape %}