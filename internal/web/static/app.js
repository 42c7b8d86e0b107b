// Small niceties on top of pages that work without JavaScript: the print
// button of the 一户一档 sheet, confirm dialogs on weighty buttons, on a
// phone the menu's current page scrolled into its row, and a choice that
// narrows another (a large scope's grid, then its buildings) showing the
// form again at once, as its button does without JavaScript.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var nav = document.querySelector(".nav"), cur = nav && nav.querySelector("[aria-current]");
    if (cur && nav.scrollWidth > nav.clientWidth) {
      nav.scrollLeft = cur.offsetLeft - (nav.clientWidth - cur.offsetWidth) / 2 - nav.offsetLeft;
    }
  });
  // Without JavaScript the reload button is there (in a noscript: with
  // it, Enter in a field still saves rather than reloads).
  document.addEventListener("change", function (e) {
    var t = e.target, name = t.getAttribute && t.getAttribute("data-reload");
    var o = t.options && t.options[t.selectedIndex];
    if (!name || !t.form || (o && o.hasAttribute("data-keep"))) return;
    var i = document.createElement("input");
    i.type = "hidden";
    i.name = "reload";
    i.value = name;
    t.form.appendChild(i);
    t.form.submit();
  });
  document.addEventListener("click", function (e) {
    var t = e.target.closest ? e.target.closest("[data-print],[data-confirm]") : null;
    if (!t) return;
    if (t.hasAttribute("data-print")) {
      e.preventDefault();
      window.print();
      return;
    }
    if (t.hasAttribute("data-confirm") && !window.confirm(t.getAttribute("data-confirm"))) {
      e.preventDefault();
    }
  });
})();
