// The visit form: pick a household (accent-insensitive search), date, residents present,
// activities with their outcome, an optional coarse location and a note. Builds the
// exact payload the sync API takes; all DOM is built with textContent (no HTML from data).
import { fold } from "visit-app/fold";
import { householdGet, householdsOfVillage } from "visit-app/store";

const MAX_RESULTS = 20;
const OUTCOMES = ["done", "partly", "not_possible"];

function $(id) {
  return document.getElementById(id);
}

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key in node && key !== "list") node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export function localToday() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function newVisitId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // older phones: a v4 UUID by hand
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function roundCoordinate(value) {
  return Math.round(value * 100) / 100; // about 1 km: enough to place a visit in a village
}

export function residentLabel(resident, t) {
  return `${t(resident.sex)} · ${t("born", { year: resident.birth_year })}`;
}

export class VisitForm {
  constructor({ t, onSave }) {
    this.t = t;
    this.onSave = onSave;
    this.households = [];
    this.household = null;
    this.location = null;
    this.activities = [];
    this.courses = [];
    this.form = $("va-form");
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    $("va-search").addEventListener("input", () => this.renderSearch());
    $("va-village").addEventListener("change", () => this.loadVillage());
    $("va-locate").addEventListener("click", () => this.locate());
    $("va-location-clear").addEventListener("click", () => this.setLocation(null));
    $("va-edit-cancel").addEventListener("click", () => this.reset());
    this.editing = null;
    this.resetDate();
  }

  resetDate() {
    const date = $("va-date");
    date.value = localToday();
    date.max = localToday();
  }

  // Called after every download: villages and catalogue may have changed.
  async refresh({ villages, activities, courses = [] }) {
    const select = $("va-village");
    const current = select.value;
    select.replaceChildren(
      ...villages.map((village) => el("option", { value: String(village.id), text: `${village.name} · ${village.commune}` })),
    );
    if (villages.some((village) => String(village.id) === current)) select.value = current;
    $("va-village-field").hidden = villages.length < 2;
    this.activities = activities;
    this.courses = [...courses].sort((a, b) => a.title.localeCompare(b.title, "vi"));
    this.renderActivities();
    await this.loadVillage();
  }

  async loadVillage() {
    const value = $("va-village").value;
    this.households = await householdsOfVillage(value ? Number(value) : null);
    this.households.sort((a, b) => a.label.localeCompare(b.label, "vi"));
    if (this.household && !this.households.some((h) => h.id === this.household.id)) this.chooseHousehold(null);
    this.renderSearch();
  }

  renderSearch() {
    const box = $("va-households");
    const help = $("va-search-help");
    const words = fold($("va-search").value).split(" ").filter(Boolean);
    if (!words.length) {
      box.replaceChildren();
      help.textContent = this.t("typeToSearch");
      return;
    }
    const matches = this.households.filter((h) => {
      const text = `${h.folded} ${fold(h.address_hint)}`;
      return words.every((word) => text.includes(word));
    });
    help.textContent = !matches.length
      ? this.t("noHouseholds")
      : matches.length > MAX_RESULTS
        ? this.t("moreHouseholds", { n: matches.length - MAX_RESULTS })
        : "";
    box.replaceChildren(
      ...matches.slice(0, MAX_RESULTS).map((h) => {
        const input = el("input", { type: "radio", name: "va-household", value: h.id });
        input.checked = this.household?.id === h.id;
        input.addEventListener("change", () => this.chooseHousehold(h));
        return el("label", { className: "va-choice" }, [
          input,
          el("span", { text: h.label }),
          h.address_hint ? el("small", { text: h.address_hint }) : null,
        ]);
      }),
    );
  }

  chooseHousehold(household) {
    this.household = household;
    const chosen = $("va-chosen");
    chosen.hidden = !household;
    chosen.textContent = household ? `✓ ${household.label}${household.address_hint ? " — " + household.address_hint : ""}` : "";
    const residents = household ? household.residents || [] : [];
    const field = $("va-residents-field");
    field.hidden = !household;
    $("va-residents").replaceChildren(
      ...(residents.length
        ? residents.map((r) =>
            el("label", { className: "va-choice" }, [
              el("input", { type: "checkbox", name: "va-resident", value: r.id }),
              el("span", { text: residentLabel(r, this.t) }),
            ]),
          )
        : [el("p", { className: "meta", text: this.t("noResidents") })]),
    );
    this.renderResidentSelects();
    this.renderEnrol();
  }

  // The optional "enrol a resident in a course" part: shown when a household with
  // residents is chosen and some course is open.
  renderEnrol() {
    const residents = this.household ? this.household.residents || [] : [];
    // A correction of a sent visit does not enrol again (the enrolment was made then).
    $("va-enrol-field").hidden = !residents.length || !this.courses.length || this.editing?.mode === "sent";
    const who = $("va-enrol-resident");
    const currentWho = who.value;
    who.replaceChildren(
      el("option", { value: "", text: this.t("chooseResident") }),
      ...residents.map((r) => el("option", { value: r.id, text: residentLabel(r, this.t) })),
    );
    if (residents.some((r) => r.id === currentWho)) who.value = currentWho;
    const course = $("va-enrol-course");
    const currentCourse = course.value;
    course.replaceChildren(
      el("option", { value: "", text: this.t("chooseCourse") }),
      ...this.courses.map((c) => el("option", { value: String(c.id), text: c.title })),
    );
    if (this.courses.some((c) => String(c.id) === currentCourse)) course.value = currentCourse;
  }

  // [enrolments, errors]: nothing filled in = no enrolment.
  collectEnrolments(residentIds) {
    const residentId = $("va-enrol-resident").value;
    const courseId = $("va-enrol-course").value;
    const phone = $("va-enrol-phone").value.trim();
    const consent = $("va-enrol-consent").checked;
    if ($("va-enrol-field").hidden || (!residentId && !courseId && !phone)) return [[], []];
    const errors = [];
    if (!residentId || !courseId || !phone) errors.push(this.t("errEnrolIncomplete"));
    const digits = phone.replace(/[\s.\-()]/g, "");
    if (phone && !/^(\+?84|0)\d{9}$/.test(digits)) errors.push(this.t("errEnrolPhone"));
    if (!consent) errors.push(this.t("errEnrolConsent"));
    // Whoever is enrolled during the visit was there.
    if (residentId && !residentIds.includes(residentId)) residentIds.push(residentId);
    return [[{ resident_id: residentId, course_id: Number(courseId), phone, consent }], errors];
  }

  // Load a visit into the form to change it. "queued": not sent yet, saved again in place
  // under the same id; "sent": a correction, saved as a new version that replaces it.
  async edit(payload, mode, label) {
    this.reset();
    const household = await householdGet(payload.household_id);
    if (!household || household.deleted) return false;
    this.editing = { mode, id: payload.id, replaces: payload.replaces || null, label };
    const village = $("va-village");
    if ([...village.options].some((o) => o.value === String(household.village_id))) {
      village.value = String(household.village_id);
      await this.loadVillage();
    }
    this.chooseHousehold(this.households.find((h) => h.id === household.id) || household);
    $("va-date").value = payload.visited_on;
    for (const input of this.form.querySelectorAll("input[name=va-resident]")) {
      input.checked = payload.resident_ids.includes(input.value);
    }
    for (const act of payload.activities) {
      const block = this.form.querySelector(`.va-activity[data-code="${CSS.escape(act.code)}"]`);
      if (!block) continue;
      const key = `va-act-${CSS.escape(act.code)}`;
      block.querySelector("input[name=va-activity]").checked = true;
      block.querySelector(".va-activity__details").hidden = false;
      const radio = block.querySelector(`input[name="${key}-outcome"][value="${CSS.escape(act.outcome)}"]`);
      if (radio) radio.checked = true;
      block.querySelector(`input[name="${key}-reason"]`).value = act.reason || "";
      const select = block.querySelector(".va-resident-select");
      if (select) select.value = act.resident_id || "";
    }
    $("va-note").value = payload.note || "";
    this.setLocation(payload.location || null);
    const enrolment = mode === "queued" ? (payload.enrolments || [])[0] : null;
    if (enrolment) {
      $("va-enrol-resident").value = enrolment.resident_id;
      $("va-enrol-course").value = String(enrolment.course_id);
      $("va-enrol-phone").value = enrolment.phone;
      $("va-enrol-consent").checked = Boolean(enrolment.consent);
    }
    this.renderEditing();
    this.form.scrollIntoView({ block: "start" });
    return true;
  }

  renderEditing() {
    const banner = $("va-editing");
    banner.hidden = !this.editing;
    $("va-editing-text").textContent = this.editing
      ? this.t(this.editing.mode === "sent" ? "editingSent" : "editingQueued", { label: this.editing.label })
      : "";
  }

  renderActivities() {
    const t = this.t;
    $("va-activities").replaceChildren(
      ...this.activities.map((activity) => {
        const key = `va-act-${activity.code}`;
        const check = el("input", { type: "checkbox", id: key, name: "va-activity", value: activity.code });
        const details = el("div", { className: "va-activity__details", hidden: true });
        const outcomes = el(
          "div",
          { className: "va-outcomes", role: "radiogroup", "aria-label": `${t("outcome")}: ${activity.name}` },
          OUTCOMES.map((outcome) => {
            const radio = el("input", { type: "radio", name: `${key}-outcome`, value: outcome });
            radio.checked = radio.defaultChecked = outcome === "done";
            return el("label", { className: "va-choice va-choice--inline" }, [radio, el("span", { text: t(outcome) })]);
          }),
        );
        const reason = el("input", { type: "text", name: `${key}-reason`, maxLength: 300, "aria-label": `${t("reason")}: ${activity.name}`, placeholder: t("reason") });
        details.append(outcomes, reason);
        if (activity.needs_resident) {
          const select = el("select", { name: `${key}-resident`, className: "va-resident-select", "aria-label": `${t("forResident")}: ${activity.name}` });
          details.append(select);
        }
        check.addEventListener("change", () => {
          details.hidden = !check.checked;
        });
        return el("div", { className: "va-activity", "data-code": activity.code }, [
          el("label", { className: "va-choice", htmlFor: key }, [check, el("span", { text: activity.name })]),
          details,
        ]);
      }),
    );
    this.renderResidentSelects();
  }

  renderResidentSelects() {
    const residents = this.household ? this.household.residents || [] : [];
    for (const select of this.form.querySelectorAll(".va-resident-select")) {
      const current = select.value;
      select.replaceChildren(
        el("option", { value: "", text: this.t("chooseResident") }),
        ...residents.map((r) => el("option", { value: r.id, text: residentLabel(r, this.t) })),
      );
      if (residents.some((r) => r.id === current)) select.value = current;
    }
  }

  locate() {
    const text = $("va-location-text");
    if (!navigator.geolocation) {
      text.textContent = this.t("locationFailed");
      return;
    }
    text.textContent = this.t("locating");
    navigator.geolocation.getCurrentPosition(
      (position) =>
        this.setLocation({ lat: roundCoordinate(position.coords.latitude), lon: roundCoordinate(position.coords.longitude) }),
      () => {
        text.textContent = this.t("locationFailed");
      },
      { enableHighAccuracy: false, timeout: 20000, maximumAge: 600000 },
    );
  }

  setLocation(location) {
    this.location = location;
    $("va-location-text").textContent = location ? this.t("locationSet", { lat: location.lat.toFixed(2), lon: location.lon.toFixed(2) }) : "";
    $("va-location-clear").hidden = !location;
  }

  // Returns [payload, errors].
  collect() {
    const t = this.t;
    const errors = [];
    if (!this.household) errors.push(t("errHousehold"));
    const visitedOn = $("va-date").value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(visitedOn) || visitedOn > localToday()) errors.push(t("errDate"));
    const residentIds = [...this.form.querySelectorAll("input[name=va-resident]:checked")].map((input) => input.value);
    const activities = [];
    for (const block of this.form.querySelectorAll(".va-activity")) {
      const code = block.dataset.code;
      const activity = this.activities.find((a) => a.code === code);
      if (!block.querySelector("input[name=va-activity]").checked) continue;
      const outcome = block.querySelector(`input[name="va-act-${CSS.escape(code)}-outcome"]:checked`)?.value || "done";
      const reason = block.querySelector(`input[name="va-act-${CSS.escape(code)}-reason"]`).value.trim();
      const select = block.querySelector(".va-resident-select");
      const residentId = select ? select.value || null : null;
      if (outcome === "not_possible" && !reason) errors.push(t("errReason", { name: activity.name }));
      if (activity.needs_resident && !residentId) errors.push(t("errResident", { name: activity.name }));
      activities.push({ code, outcome, reason, resident_id: residentId });
    }
    if (!activities.length) errors.push(t("errActivity"));
    const [enrolments, enrolErrors] = this.collectEnrolments(residentIds);
    errors.push(...enrolErrors);
    const editing = this.editing;
    const payload = {
      id: editing?.mode === "queued" ? editing.id : newVisitId(),
      household_id: this.household?.id,
      visited_on: visitedOn,
      resident_ids: residentIds,
      activities,
      note: $("va-note").value.trim(),
      location: this.location,
      replaces: editing ? (editing.mode === "sent" ? editing.id : editing.replaces) : null,
      enrolments,
    };
    return [payload, errors];
  }

  async submit() {
    // A double tap must not queue the same visit twice under two ids (the server could
    // not tell them apart from two real visits): one save at a time.
    if (this.saving) return;
    const [payload, errors] = this.collect();
    const box = $("va-form-errors");
    box.replaceChildren(...errors.map((error) => el("p", { className: "message message--error", text: error })));
    if (errors.length) {
      box.scrollIntoView({ block: "center" });
      return;
    }
    const button = this.form.querySelector("button[type=submit]");
    this.saving = true;
    button.disabled = true;
    try {
      await this.onSave(payload, this.household, this.editing);
      this.reset();
    } finally {
      this.saving = false;
      button.disabled = false;
    }
  }

  reset() {
    this.editing = null;
    this.renderEditing();
    this.form.reset();
    $("va-form-errors").replaceChildren();
    this.chooseHousehold(null);
    this.setLocation(null);
    this.resetDate();
    for (const details of this.form.querySelectorAll(".va-activity__details")) details.hidden = true;
    this.renderSearch();
  }
}
