/* The attempt page over a poor connection. The form works without this script (the
 * "Lưu" and "Nộp bài" buttons post it); with it, nothing typed is lost when the network
 * drops:
 * - every change is kept in this browser (localStorage, one entry per attempt) and sent
 *   in the background (the whole form, autosave=1; the server answers in JSON);
 * - what could not be sent stays kept, the page says so, and it is sent again when the
 *   connection returns or when the attempt is opened again (the kept answers are put
 *   back into the form first: they are newer than what the server has);
 * - "Lưu" and "Nộp bài" without a connection do not leave the page: they say that
 *   nothing was submitted and that the answers are kept.
 * The entry is removed once the server has taken what it holds. Grading stays on the
 * server; this script never sees a correct answer. */
(function () {
  "use strict";
  var graded = document.querySelector("[data-quiz-graded]");
  if (graded) {
    // The attempt is graded: whatever this browser kept for it is of no more use.
    try {
      window.localStorage.removeItem("quiz-attempt-" + graded.dataset.quizGraded);
    } catch (e) {
      /* no storage */
    }
    return;
  }
  var form = document.querySelector("form[data-quiz-autosave]");
  if (!form || !window.fetch || !window.FormData || !window.JSON) return;
  var status = document.getElementById("quiz-sync");
  var text = status.dataset;
  var key = "quiz-attempt-" + form.dataset.quizAutosave;
  var memory = null; // used when localStorage is unavailable (private browsing)
  var store = null;
  try {
    store = window.localStorage;
    store.setItem(key + "-probe", "1");
    store.removeItem(key + "-probe");
  } catch (e) {
    store = null;
  }
  var sending = false;
  var again = false;
  var typing = null;

  function say(message, kind) {
    status.hidden = false;
    status.className = "quiz-sync quiz-sync--" + kind;
    status.textContent = message;
  }

  function snapshot() {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken") pairs.push([name, value]);
    });
    return { at: Date.now(), pairs: pairs };
  }

  function kept() {
    if (!store) return memory;
    try {
      return JSON.parse(store.getItem(key) || "null");
    } catch (e) {
      return null;
    }
  }

  function keep(entry) {
    memory = entry;
    if (store) {
      try {
        store.setItem(key, JSON.stringify(entry));
      } catch (e) {
        /* full: the copy in memory still goes out */
      }
    }
  }

  function forget(entry) {
    var now = kept();
    if (now && now.at !== entry.at) return; // changed while sending: send again
    memory = null;
    if (store) store.removeItem(key);
  }

  function restore(entry) {
    var values = {};
    entry.pairs.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit" || el.type === "button") return;
      var mine = values[el.name] || [];
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = mine.indexOf(el.value) !== -1;
      } else if (el.name in values) {
        el.value = mine[0];
      }
    });
  }

  function markErrors(errors) {
    Array.prototype.forEach.call(form.querySelectorAll(".quiz-q"), function (fieldset) {
      var id = fieldset.dataset.question;
      var box = fieldset.querySelector(".quiz-q__autosave-error");
      if (errors[id]) {
        fieldset.classList.add("quiz-q--error");
        if (!box) {
          box = document.createElement("p");
          box.className = "errorlist quiz-q__autosave-error";
          fieldset.insertBefore(box, fieldset.querySelector(".quiz-q__text").nextSibling);
        }
        box.textContent = errors[id];
      } else if (box) {
        fieldset.classList.remove("quiz-q--error");
        box.remove();
      }
    });
  }

  function send() {
    var entry = kept();
    if (!entry) return;
    if (sending) {
      again = true;
      return;
    }
    if (navigator.onLine === false) {
      say(text.offline, "offline");
      return;
    }
    sending = true;
    say(text.saving, "saving");
    var body = new FormData();
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    body.append("autosave", "1");
    entry.pairs.forEach(function (pair) {
      body.append(pair[0], pair[1]);
    });
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(
        function (response) {
          return response.json().then(
            function (data) {
              forget(entry);
              if (response.ok) {
                markErrors({});
                say(text.saved, "saved");
              } else if (data.code === "graded") {
                say(data.detail, "error");
                var link = document.createElement("a");
                link.href = data.review_url;
                link.textContent = " " + text.review;
                status.appendChild(link);
              } else {
                markErrors(data.errors || {});
                say(data.detail, "error");
              }
            },
            function () {
              // Not our JSON (signed out, server error): keep the answers.
              say(text.failed, "error");
            }
          );
        },
        function () {
          say(text.offline, "offline");
        }
      )
      .then(function () {
        sending = false;
        if (again) {
          again = false;
          send();
        }
      });
  }

  function changed(soon) {
    keep(snapshot());
    window.clearTimeout(typing);
    if (soon) {
      typing = window.setTimeout(send, 800);
    } else {
      send();
    }
  }

  form.addEventListener("change", function () {
    changed(false);
  });
  form.addEventListener("input", function (event) {
    if (event.target.type === "text") changed(true);
  });
  form.addEventListener("submit", function (event) {
    keep(snapshot());
    if (navigator.onLine === false) {
      event.preventDefault();
      say(text.offlineSubmit, "offline");
    }
  });
  window.addEventListener("online", send);
  window.addEventListener("offline", function () {
    if (kept()) say(text.offline, "offline");
  });

  var waiting = kept();
  if (waiting) {
    restore(waiting);
    say(text.restored, "saving");
    send();
  }
})();
