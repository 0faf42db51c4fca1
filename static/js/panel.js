// The panel form: add a row, and count the members and the external experts as they are typed.
"use strict";
(function () {
  const total = document.getElementById("id_panel-TOTAL_FORMS");
  const rows = document.getElementById("panel-rows");
  const count = document.getElementById("panel-count");
  if (!total || !rows || !count) return;  // the panel is shown read-only
  function update() {
    let n = 0, ext = 0;
    rows.querySelectorAll("tr").forEach(function (tr) {
      const name = tr.querySelector("input[name$='-name']");
      if (name && name.value.trim()) { n++; if (tr.querySelector("input[type=checkbox]").checked) ext++; }
    });
    const needExt = Math.ceil(n / 2);
    count.textContent = "已填 " + n + " 人，其中校外 " + ext + " 人" +
      (n < 9 ? "；还差 " + (9 - n) + " 人" : "") + (ext < needExt ? "；校外专家还差 " + (needExt - ext) + " 人" : "") +
      (n >= 9 && ext >= needExt ? "：符合要求" : "");
  }
  document.getElementById("add-row").addEventListener("click", function () {
    const i = parseInt(total.value, 10);
    const html = document.getElementById("row-template").innerHTML.replace(/__prefix__/g, i).replace(/__num__/g, i + 1);
    rows.insertAdjacentHTML("beforeend", html);
    total.value = i + 1;
  });
  rows.addEventListener("input", update);
  rows.addEventListener("change", update);
  update();
})();
