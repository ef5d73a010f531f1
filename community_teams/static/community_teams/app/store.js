// The phone's offline copy: device token, the village register, the activity catalogue,
// the courses, and the queue of visits waiting to be sent. IndexedDB through `idb`.
import { openDB } from "idb";
import { fold } from "visit-app/fold";

const DB_NAME = "to-cong-nghe-so-visits";
const STORES = ["meta", "villages", "households", "activities", "courses", "queue"];

let dbPromise = null;

export function openStore() {
  if (!dbPromise) {
    dbPromise = openDB(DB_NAME, 1, {
      upgrade(db) {
        db.createObjectStore("meta");
        db.createObjectStore("villages", { keyPath: "id" });
        const households = db.createObjectStore("households", { keyPath: "id" });
        households.createIndex("village_id", "village_id");
        db.createObjectStore("activities", { keyPath: "code" });
        db.createObjectStore("courses", { keyPath: "id" });
        const queue = db.createObjectStore("queue", { keyPath: "id" });
        queue.createIndex("queued_at", "queued_at");
      },
    });
  }
  return dbPromise;
}

export async function metaGet(key) {
  return (await openStore()).get("meta", key);
}

export async function metaSet(key, value) {
  return (await openStore()).put("meta", value, key);
}

// Remove everything this app keeps on the phone. Returns how many queued (never
// accepted) visits were removed with it, so the user can be told.
export async function wipeAll() {
  const db = await openStore();
  const tx = db.transaction(STORES, "readwrite");
  const lost = await tx.objectStore("queue").count();
  await Promise.all(STORES.map((name) => tx.objectStore(name).clear()));
  await tx.done;
  return lost;
}

// Apply a /teams/sync-data answer in one transaction: a full download replaces the
// register, a partial one applies changes and deletions. Small lists are replaced.
export async function downloadApply(data) {
  const db = await openStore();
  const tx = db.transaction(["meta", "villages", "households", "activities", "courses"], "readwrite");
  const households = tx.objectStore("households");
  const writes = [];
  if (data.full) writes.push(households.clear());
  for (const household of data.households || []) {
    if (household.deleted) {
      writes.push(households.delete(household.id));
    } else {
      writes.push(households.put({ ...household, folded: fold(household.label) }));
    }
  }
  for (const [name, key] of [["villages", "id"], ["activities", "code"], ["courses", "id"]]) {
    const store = tx.objectStore(name);
    writes.push(store.clear());
    (data[name] || []).forEach((row, position) => {
      if (row[key] !== undefined) writes.push(store.put({ ...row, position }));
    });
  }
  const meta = tx.objectStore("meta");
  writes.push(meta.put(data.cursor, "cursor"));
  writes.push(meta.put(data.server_time || null, "serverTime"));
  writes.push(meta.put(Date.now(), "lastSyncAt"));
  await Promise.all(writes);
  await tx.done;
}

// In the server's order (the catalogue's own order, not the codes').
const byPosition = (a, b) => (a.position ?? 0) - (b.position ?? 0);

export async function villagesAll() {
  return (await (await openStore()).getAll("villages")).sort(byPosition);
}

export async function activitiesAll() {
  return (await (await openStore()).getAll("activities")).sort(byPosition);
}

export async function coursesAll() {
  return (await openStore()).getAll("courses");
}

export async function coursesCount() {
  return (await openStore()).count("courses");
}

export async function householdsCount() {
  return (await openStore()).count("households");
}

export async function householdsOfVillage(villageId) {
  const db = await openStore();
  const rows = villageId == null ? await db.getAll("households") : await db.getAllFromIndex("households", "village_id", villageId);
  return rows.filter((row) => !row.deleted);
}

export async function householdGet(id) {
  return (await openStore()).get("households", id);
}

// --- The queue ----------------------------------------------------------------------
// An item: {id, payload (exactly what is sent), status: pending|conflict|invalid,
// detail, queued_at, household_label}. The id is the visit's own UUID, so re-queuing
// the same visit overwrites rather than doubles it, and the server treats a re-send as
// "already received".

const RECENT_MAX = 10;

export async function queueGet(id) {
  return (await openStore()).get("queue", id);
}

export async function recentSent() {
  return (await metaGet("recentSent")) || [];
}

// A correction of a sent visit is queued: the sent version leaves the "recently sent"
// list (the queued correction is edited in place from now on).
export async function recentForget(id) {
  await metaSet("recentSent", (await recentSent()).filter((entry) => entry.id !== id));
}

export async function queueAdd(item) {
  return (await openStore()).put("queue", item);
}

export async function queueAll() {
  return (await openStore()).getAllFromIndex("queue", "queued_at");
}

export async function queueDelete(id) {
  return (await openStore()).delete("queue", id);
}

// Record the server's per-item answers: created/duplicate leave the queue, conflict and
// invalid stay with the server's explanation.
export async function queueApplyResults(results) {
  const db = await openStore();
  const tx = db.transaction(["queue", "meta"], "readwrite");
  const queue = tx.objectStore("queue");
  for (const result of results) {
    if (result.status === "created" || result.status === "duplicate") {
      const item = await queue.get(result.id);
      await queue.delete(result.id);
      if (item) {
        // Kept a little while so the visit can still be corrected (a new version that
        // "replaces" it): newest first, the version it replaced dropped.
        const recent = ((await tx.objectStore("meta").get("recentSent")) || []).filter(
          (entry) => entry.id !== item.id && entry.id !== item.payload.replaces,
        );
        recent.unshift({ id: item.id, payload: item.payload, household_label: item.household_label, sent_at: Date.now() });
        await tx.objectStore("meta").put(recent.slice(0, RECENT_MAX), "recentSent");
      }
    } else {
      const item = await queue.get(result.id);
      if (item) {
        item.status = result.status === "conflict" ? "conflict" : "invalid";
        item.detail = result.detail || "";
        await queue.put(item);
      }
    }
  }
  await tx.objectStore("meta").put(Date.now(), "lastSyncAt");
  await tx.done;
}
