// The visit app: signs the device in once, downloads the village register, queues visits
// in IndexedDB and sends them when there is a network. Sending is idempotent by
// construction: every visit carries the UUID made when it was written, and the server
// answers a re-sent id with "duplicate" and creates nothing.
import { ApiError, deviceRegister, deviceRevoke, syncData, visitsSync } from "visit-app/api";
import { VisitForm, newVisitId } from "visit-app/form";
import {
  activitiesAll,
  coursesAll,
  coursesCount,
  downloadApply,
  householdsCount,
  metaGet,
  metaSet,
  queueAdd,
  queueAll,
  queueApplyResults,
  queueDelete,
  queueGet,
  recentForget,
  recentSent,
  villagesAll,
  wipeAll,
} from "visit-app/store";

const STRINGS = JSON.parse(document.getElementById("va-strings").textContent);
const CONFIG = JSON.parse(document.getElementById("va-config").textContent);
const DAY_MS = 24 * 60 * 60 * 1000;
const RETRY_MS = 5 * 60 * 1000; // "online" can mean a Wi-Fi without Internet: try again now and then

function t(key, params = {}) {
  const text = STRINGS[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}

function $(id) {
  return document.getElementById(id);
}

function notice(text, kind = "info") {
  const box = $("va-notices");
  const item = document.createElement("p");
  item.className = `message message--${kind}`;
  item.textContent = text;
  box.prepend(item);
  while (box.children.length > 4) box.lastElementChild.remove();
}

function showNetwork() {
  const net = $("va-net");
  net.textContent = navigator.onLine ? t("online") : t("offline");
  net.classList.toggle("va-net--offline", !navigator.onLine);
}

let form = null;

async function showSignin() {
  $("va-loading").hidden = true;
  $("va-main").hidden = true;
  $("va-signin").hidden = false;
}

async function showMain(device) {
  $("va-loading").hidden = true;
  $("va-signin").hidden = true;
  $("va-main").hidden = false;
  $("va-device").textContent = t("deviceOf", { name: device.user?.name || "" });
  if (CONFIG.userId && device.user && device.user.id !== CONFIG.userId) {
    notice(t("otherUser", { name: device.user.name }), "warning");
  }
  if (!form) form = new VisitForm({ t, onSave: saveVisit });
  await refreshRegister();
  await renderQueue();
}

async function refreshRegister() {
  await form.refresh({
    villages: await villagesAll(),
    activities: await activitiesAll(),
    courses: await coursesAll(),
  });
  $("va-courses").textContent = t("coursesCount", { n: await coursesCount() });
}

async function renderQueue() {
  const items = await queueAll();
  $("va-queue-count").textContent = items.length ? t("queueCount", { n: items.length }) : t("queueEmpty");
  $("va-queue-list").replaceChildren(
    ...items.map((item) => {
      const li = document.createElement("li");
      li.className = `va-item va-item--${item.status}`;
      li.dataset.visitId = item.id;
      const title = document.createElement("strong");
      title.textContent = item.household_label;
      const meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = ` · ${item.payload.visited_on} · ${t("activitiesCount", { n: item.payload.activities.length })}`;
      const badge = document.createElement("span");
      badge.className = "va-badge";
      badge.textContent = t(item.status);
      li.append(badge, " ", title, meta);
      if (item.detail) {
        const detail = document.createElement("p");
        detail.className = "va-item__detail";
        detail.textContent = item.detail;
        li.append(detail);
      }
      if (item.status === "pending" || item.status === "invalid") {
        li.append(" ", editButton(item.payload, "queued", item.household_label));
      }
      if (item.status !== "pending") {
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link-button";
        remove.textContent = t("remove");
        remove.addEventListener("click", async () => {
          if (!window.confirm(t("confirmRemove"))) return;
          await queueDelete(item.id);
          await renderQueue();
        });
        li.append(" ", remove);
      }
      return li;
    }),
  );
  const recent = await recentSent();
  $("va-recent").hidden = !recent.length;
  $("va-recent-list").replaceChildren(
    ...recent.map((entry) => {
      const li = document.createElement("li");
      li.className = "va-item va-item--sent";
      li.dataset.visitId = entry.id;
      const title = document.createElement("strong");
      title.textContent = entry.household_label;
      const meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = ` · ${entry.payload.visited_on} · ${t("activitiesCount", { n: entry.payload.activities.length })}`;
      li.append(title, meta, " ", editButton(entry.payload, "sent", entry.household_label));
      return li;
    }),
  );
  const last = await metaGet("lastSyncAt");
  $("va-last-sync").textContent = last
    ? t("lastSync", { date: new Date(last).toLocaleString(document.documentElement.lang || "vi") })
    : t("neverSynced");
}

function editButton(payload, mode, label) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "link-button";
  button.textContent = t("edit");
  button.addEventListener("click", async () => {
    if (!(await form.edit(payload, mode, label))) notice(t("editGone"), "warning");
  });
  return button;
}

async function saveVisit(payload, household, editing) {
  let queuedAt = new Date().toISOString();
  if (editing?.mode === "queued") {
    if (running) await running; // it may be on its way to the server right now
    const still = await queueGet(editing.id);
    if (still) queuedAt = still.queued_at;
    else {
      // Sent in the meantime: the change becomes a correction of what was sent.
      Object.assign(payload, { id: newVisitId(), replaces: editing.id, enrolments: [] });
    }
  }
  if (payload.replaces) await recentForget(payload.replaces);
  await queueAdd({
    id: payload.id,
    payload,
    status: "pending",
    detail: "",
    queued_at: queuedAt,
    household_label: household.label,
  });
  notice(t("saved"), "success");
  await renderQueue();
  if (navigator.onLine) syncNow();
}

async function deviceGone(message) {
  const lost = await wipeAll();
  notice(lost ? `${message} ${t("lostVisits", { n: lost })}` : message, "warning");
  await showSignin();
}

// --- Sync ------------------------------------------------------------------------------

async function upload(device) {
  const pending = (await queueAll()).filter((item) => item.status === "pending");
  const tally = { created: 0, duplicate: 0, kept: 0, flagged: 0 };
  for (let start = 0; start < pending.length; start += CONFIG.batchSize) {
    const batch = pending.slice(start, start + CONFIG.batchSize);
    const answer = await visitsSync(CONFIG, device.token, batch.map((item) => item.payload));
    // One result per item, in order: pair them by position (an item the server could not
    // read comes back without its id).
    const results = batch.map((item, i) => ({ ...(answer.results || [])[i], id: item.id }));
    await queueApplyResults(results.filter((result) => result.status));
    for (const result of results) {
      if (!result.status) continue;
      if (result.status === "created") tally.created += 1;
      else if (result.status === "duplicate") tally.duplicate += 1;
      else tally.kept += 1;
      if (result.flagged) tally.flagged += 1;
    }
  }
  if (tally.created) notice(t("sent", { n: tally.created }), "success");
  if (tally.duplicate) notice(t("alreadyReceived", { n: tally.duplicate }), "info");
  if (tally.flagged) notice(t("flagged", { n: tally.flagged }), "warning");
  if (tally.kept) notice(t("keptWithErrors", { n: tally.kept }), "error");
}

async function download(device) {
  const cursor = await metaGet("cursor");
  let data;
  try {
    data = await syncData(CONFIG, device.token, cursor);
  } catch (error) {
    if (!(cursor && error instanceof ApiError && error.code === "invalid_cursor")) throw error;
    data = await syncData(CONFIG, device.token, null); // the server lost our place: start over
  }
  await downloadApply(data);
  await refreshRegister();
  if (data.full) notice(t("downloaded", { n: await householdsCount() }), "success");
}

let running = null;

function syncNow() {
  if (!running) {
    running = runSync().finally(() => {
      running = null;
    });
  }
  return running;
}

async function runSync() {
  const device = await metaGet("device");
  if (!device) return;
  $("va-notices").replaceChildren(); // each sync says what it did, from a clean slate
  const button = $("va-send");
  button.disabled = true;
  button.textContent = t("sending");
  document.body.dataset.syncing = "1";
  try {
    await upload(device);
    await download(device);
  } catch (error) {
    if (error instanceof ApiError && error.deviceGone) {
      await deviceGone(t("wipedRevoked"));
      return;
    }
    if (error instanceof ApiError && error.network) notice(t("networkError"), "warning");
    else notice(t("serverError", { status: error.status || "?", detail: error.detail || String(error) }), "error");
  } finally {
    button.disabled = false;
    button.textContent = STRINGS.sendNow;
    delete document.body.dataset.syncing;
    document.body.dataset.synced = String(Date.now());
    if (!$("va-main").hidden) await renderQueue();
  }
}

// --- Sign-in and sign-out ----------------------------------------------------------

async function signIn(event) {
  event.preventDefault();
  const name = $("va-device-name").value.trim() || "?";
  $("va-signin-login").hidden = true;
  try {
    const answer = await deviceRegister(CONFIG, name);
    await metaSet("device", {
      device_id: answer.device_id,
      token: answer.token,
      user: answer.user,
      villages: answer.villages,
      registered_at: Date.now(),
    });
    await metaSet("lastSyncAt", Date.now());
    notice(t("signinDone"), "success");
    await showMain(await metaGet("device"));
    await syncNow();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.network) notice(t("signinOffline"), "warning");
    else if (error.code === "not_team_member") notice(t("signinNotMember"), "error");
    else if (error.status === 401 || error.status === 403) {
      notice(t("signinLogin"), "error");
      $("va-signin-login").hidden = false;
    } else notice(t("serverError", { status: error.status, detail: error.detail }), "error");
  }
}

async function signOut() {
  const device = await metaGet("device");
  const unsent = (await queueAll()).length;
  if (!window.confirm(t("confirmSignout", { n: unsent }))) return;
  if (device) {
    try {
      await deviceRevoke(CONFIG, device);
    } catch (error) {
      // Offline or already revoked: the token leaves this phone anyway and expires
      // after 30 days without a sync.
    }
  }
  await wipeAll();
  notice(t("signedOut"), "success");
  await showSignin();
}

// --- Start ---------------------------------------------------------------------------

async function start() {
  showNetwork();
  window.addEventListener("offline", showNetwork);
  window.addEventListener("online", () => {
    showNetwork();
    if (!$("va-main").hidden) syncNow();
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(CONFIG.serviceWorker, { scope: CONFIG.scope }).catch(() => null);
  }
  if (!("indexedDB" in window)) {
    $("va-loading").hidden = true;
    notice(t("noBrowserSupport"), "error");
    return;
  }
  $("va-signin-form").addEventListener("submit", signIn);
  $("va-send").addEventListener("click", () => syncNow());
  $("va-signout").addEventListener("click", signOut);
  STRINGS.sendNow = $("va-send").textContent;
  window.setInterval(async () => {
    if (!navigator.onLine || $("va-main").hidden) return;
    if ((await queueAll()).some((item) => item.status === "pending")) syncNow();
  }, RETRY_MS);

  const device = await metaGet("device");
  if (!device) return showSignin();
  const last = (await metaGet("lastSyncAt")) || device.registered_at || Date.now();
  if (Date.now() - last > CONFIG.staleAfterDays * DAY_MS) {
    return deviceGone(t("wipedStale"));
  }
  await showMain(device);
  if (navigator.onLine) await syncNow();
}

start().finally(() => {
  document.body.dataset.appReady = "1";
});
