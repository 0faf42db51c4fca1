// Every page: a <select data-autosubmit> submits its form when changed (the language switch,
// version and history pickers). Without JavaScript each form keeps its <noscript> button.
"use strict";
document.addEventListener("change", function (event) {
  const field = event.target;
  if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
    field.form.submit();
  }
});
