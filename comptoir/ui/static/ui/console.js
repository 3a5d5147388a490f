/* Comptoir's own script: keyboard shortcuts of the console and a few niceties around htmx.
   Loaded from our origin only (script-src 'self'); no inline handler, no eval. Every page
   works without it. */
(function () {
  "use strict";

  var TEXT_INPUTS = /^(text|search|email|url|tel|password|number|date|datetime-local|time|month|week)$/;

  function isTyping(element) {
    if (!element || !element.tagName) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select") return true;
    return tag === "input" && TEXT_INPUTS.test(element.type || "text");
  }

  function first(selector) {
    return document.querySelector(selector);
  }

  function focus(selector) {
    var element = first(selector);
    if (!element) return false;
    element.focus();
    if (element.scrollIntoView) element.scrollIntoView({ block: "center" });
    return true;
  }

  function click(selector) {
    var element = first(selector);
    if (!element || element.disabled) return false;
    element.click();
    return true;
  }

  function toggleHelp() {
    var dialog = document.getElementById("shortcuts-help");
    if (!dialog || !dialog.showModal) return false;
    if (dialog.open) dialog.close(); else dialog.showModal();
    return true;
  }

  var SHORTCUTS = {
    n: function () {
      return focus('#qualify-form input[name="outcome"]:checked') || focus('[data-shortcut="qualify"]');
    },
    a: function () { return click('[data-testid="assign"]') || click('[data-testid="remove-assignment"]'); },
    r: function () { return focus("#reply-text"); },
    // "Pause" opens its reasons, the first one focused (Tab to the next, Enter chooses).
    p: function () {
      var menu = first('[data-testid="pause-menu"]');
      if (!menu) return click('[data-testid="pause"]');
      menu.open = true;
      return focus('[data-testid="pause-menu"] button');
    },
    "?": toggleHelp
  };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (isTyping(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (first("dialog[open]") && event.key !== "?") return;
    var action = SHORTCUTS[event.key];
    if (action && first("#console") && action()) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-open-dialog]");
    if (!opener) return;
    var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
    if (dialog && dialog.showModal) dialog.showModal();
  });

  // The console's idle limit: every heartbeat says how long ago the agent last did something
  // on the page (the server gives the ticket back past COMPTOIR_IDLE_SECONDS, after a warning).
  var lastActivity = Date.now();
  function active() { lastActivity = Date.now(); }
  ["keydown", "pointerdown", "pointermove", "input", "wheel", "touchstart", "focusin"].forEach(
    function (name) { document.addEventListener(name, active, { passive: true, capture: true }); }
  );
  document.addEventListener("htmx:configRequest", function (event) {
    var path = event.detail && event.detail.path;
    if (!path || !/\/heartbeat\/$/.test(path)) return;
    event.detail.parameters.idle = String(Math.floor((Date.now() - lastActivity) / 1000));
  });

  // After htmx swapped in the next ticket, move the focus to its title so that keyboard and
  // screen-reader users start from the top of the new ticket.
  document.addEventListener("htmx:afterSettle", function () {
    var title = first("[data-focus-after-swap]");
    if (!title) return;
    title.removeAttribute("data-focus-after-swap");
    // Messages about the previous ticket ("your reply is queued") no longer apply.
    var stale = first(".flash-messages");
    if (stale) stale.remove();
    title.focus();
    window.scrollTo(0, 0);
  });
})();
