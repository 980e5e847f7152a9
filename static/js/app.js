// Vetted: behaviour attached by data attributes, so that no inline script is needed (CSP).
(function () {
  "use strict";

  // Deferred scripts run before DOMContentLoaded, in document order: wait for it so that
  // libraries a page adds after this file (Chart.js) are there.
  function onReady(fn) {
    if (document.readyState === "complete") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  // Submit a form when one of its selects changes (language switch, filters).
  document.addEventListener("change", function (event) {
    if (event.target.matches(".js-autosubmit")) event.target.form.submit();
  });

  // Ask before irreversible actions: <button data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) { event.preventDefault(); return; }
    // A double click must not send the same action twice.
    if (event.target.dataset.submitted === "1") { event.preventDefault(); return; }
    if (!event.target.classList.contains("js-allow-resubmit")) event.target.dataset.submitted = "1";
  });

  // Formsets: <button data-formset-add="prefix"> clones the empty form template.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-formset-add]");
    if (!button) return;
    var prefix = button.dataset.formsetAdd;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    var template = document.getElementById(prefix + "-empty");
    var count = parseInt(total.value, 10);
    if (max && count >= parseInt(max.value, 10)) return;
    var html = template.innerHTML.replace(/__prefix__/g, String(count));
    document.getElementById(prefix + "-forms").insertAdjacentHTML("beforeend", html);
    total.value = String(count + 1);
  });

  // Charts: <canvas data-chart='{"type": ..., "data": ...}'> rendered with Chart.js when present.
  onReady(function () {
    if (!window.Chart) return;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var config = JSON.parse(canvas.dataset.chart);
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false }, config.options || {});
      new window.Chart(canvas, config);
    });
  });
})();
