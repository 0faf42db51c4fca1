// The report editor: live character counters (R5), a warning before leaving unsaved text,
// and copying a kept conflicting text back into its box. The server enforces the same limits.
(function () {
  "use strict";
  // R5: one definition of the count, shared with the server (static/js/charcount.js).
  const count = window.zhengaiCharCount.count;

  function bindCounter(area) {
    const limit = parseInt(area.dataset.limit, 10);
    const out = document.querySelector('.counter[data-for="' + area.id + '"]');
    if (!out || !limit) return;
    function update() {
      const n = count(area.value);
      out.textContent = n + " / " + limit + " 字" + (n > limit ? "，超出 " + (n - limit) + " 字" : "");
      out.classList.toggle("over", n > limit);
      area.classList.toggle("over", n > limit);
    }
    area.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-limit]").forEach(bindCounter);

    const form = document.getElementById("report-form");
    if (!form) return;
    let dirty = false;
    const state = form.querySelector(".save-state");
    form.addEventListener("input", function () {
      dirty = true;
      if (state) state.textContent = "有未保存的修改";
    });
    form.addEventListener("focusin", function (event) {
      const article = event.target.closest("article[id]");
      if (article) document.getElementById("anchor").value = article.id;
    });
    form.addEventListener("submit", function () {
      dirty = false;
      const button = form.querySelector(".save-button");
      if (button) { button.disabled = true; button.textContent = "正在保存…"; }
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });

    document.querySelectorAll("[data-copy-to]").forEach(function (button) {
      button.addEventListener("click", function () {
        const area = document.getElementById(button.dataset.copyTo);
        if (!area) return;
        area.value = button.dataset.text;
        area.dispatchEvent(new Event("input", { bubbles: true }));
        area.focus();
      });
    });
  });
})();
