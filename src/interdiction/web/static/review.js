// Keyboard shortcuts for fast review. Any element with data-key="x" answers the key x: a radio
// or checkbox is ticked, a text field is focused, a link is followed, a button is pressed. On
// the queue, j/k move through the rows and o/Enter opens one. Keys typed into a text field are
// left alone (Esc leaves the field); Ctrl+Enter sends a form marked data-ctrl-enter.
(function () {
  "use strict";

  function isTyping(element) {
    if (!element) return false;
    if (element.isContentEditable || element.tagName === "TEXTAREA" || element.tagName === "SELECT") {
      return true;
    }
    if (element.tagName !== "INPUT") return false;
    return !["radio", "checkbox", "button", "submit", "reset", "hidden"].includes(element.type);
  }

  function activate(target) {
    if (target.tagName === "INPUT" && (target.type === "radio" || target.type === "checkbox")) {
      target.checked = target.type === "radio" ? true : !target.checked;
      target.dispatchEvent(new Event("change", { bubbles: true }));
      target.focus();
    } else if (target.tagName === "TEXTAREA" || target.tagName === "INPUT" || target.tagName === "SELECT") {
      target.focus();
    } else if (target.tagName === "A") {
      window.location.assign(target.href);
    } else {
      target.click();
    }
  }

  function queueRows() {
    return Array.from(document.querySelectorAll("[data-queue] .queue-row"));
  }

  function moveInQueue(step) {
    var rows = queueRows();
    if (!rows.length) return false;
    var current = rows.findIndex(function (row) { return row.classList.contains("is-current"); });
    var next = Math.min(rows.length - 1, Math.max(0, current + step));
    if (current >= 0) rows[current].classList.remove("is-current");
    rows[next].classList.add("is-current");
    rows[next].scrollIntoView({ block: "nearest" });
    var link = rows[next].querySelector("a");
    if (link) link.focus({ preventScroll: true });
    return true;
  }

  function openCurrentRow() {
    var row = document.querySelector("[data-queue] .queue-row.is-current");
    if (!row) return false;
    window.location.assign(row.dataset.href);
    return true;
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var form = target.closest && target.closest("form[data-ctrl-enter]");
      form = form || document.querySelector("form[data-ctrl-enter]");
      if (form) {
        event.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    if (event.key === "Escape" && isTyping(target)) {
      target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(target)) return;

    var handled = false;
    if (queueRows().length && (event.key === "j" || event.key === "k")) {
      handled = moveInQueue(event.key === "j" ? 1 : -1);
    } else if (queueRows().length && (event.key === "o" || (event.key === "Enter" && target === document.body))) {
      handled = openCurrentRow();
    } else if (event.key.length === 1) {
      var bound = document.querySelector('[data-key="' + CSS.escape(event.key) + '"]');
      if (bound) {
        activate(bound);
        handled = true;
      }
    }
    if (handled) event.preventDefault();
  });

  // Clicking anywhere on a queue row opens it, like its link.
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("[data-queue] .queue-row");
    if (row && !event.target.closest("a")) window.location.assign(row.dataset.href);
  });

  // The first row starts selected so j/Enter work at once.
  var rows = queueRows();
  if (rows.length) rows[0].classList.add("is-current");
  // Keys work from here on (tests and people with fast fingers can tell).
  document.documentElement.dataset.keys = "ready";
})();
