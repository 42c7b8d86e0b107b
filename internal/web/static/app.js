// Small niceties on top of pages that work without JavaScript: the print
// button of the 一户一档 sheet and confirm dialogs on weighty buttons.
(function () {
  "use strict";
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
