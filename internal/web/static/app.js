// Small niceties on top of pages that work without JavaScript: the print
// button of the 一户一档 sheet, confirm dialogs on weighty buttons, and on a
// phone the menu's current page scrolled into its row.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var nav = document.querySelector(".nav"), cur = nav && nav.querySelector("[aria-current]");
    if (cur && nav.scrollWidth > nav.clientWidth) {
      nav.scrollLeft = cur.offsetLeft - (nav.clientWidth - cur.offsetWidth) / 2 - nav.offsetLeft;
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
