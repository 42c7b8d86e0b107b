// Small niceties on top of pages that work without JavaScript: the print
// button of the 一户一档 sheet, confirm dialogs on weighty buttons, on a
// phone the menu's current page scrolled into its row, and a choice that
// narrows another (a large scope's grid, then its buildings) showing the
// form again at once, as its button does.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var nav = document.querySelector(".nav"), cur = nav && nav.querySelector("[aria-current]");
    if (cur && nav.scrollWidth > nav.clientWidth) {
      nav.scrollLeft = cur.offsetLeft - (nav.clientWidth - cur.offsetWidth) / 2 - nav.offsetLeft;
    }
  });
  document.addEventListener("change", function (e) {
    var t = e.target, id = t.getAttribute && t.getAttribute("data-reload");
    var b = id && document.getElementById(id);
    if (b && b.form) {
      if (b.form.requestSubmit) b.form.requestSubmit(b); else b.click();
    }
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
