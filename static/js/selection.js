// The selection page: how many schools are ticked, as they are ticked.
"use strict";
(function () {
  var form = document.getElementById("selection-form"), out = document.querySelector("#count b");
  if (!form || !out) return;
  form.addEventListener("change", function () {
    out.textContent = form.querySelectorAll("input[name=school]:checked").length;
  });
})();
