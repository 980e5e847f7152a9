// The alert list: a header checkbox selects every alert on the page for the bulk action.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    if (!event.target.matches(".js-select-all")) return;
    document.querySelectorAll(".js-select").forEach(function (box) { box.checked = event.target.checked; });
  });
})();
