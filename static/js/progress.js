// A progress page asks again every few seconds until its file is ready (then the browser
// downloads it and the page stays). Without script, the page's own "刷新" link does the same;
// the pause button stops the timer for those who need the page to hold still.
(function () {
  const box = document.querySelector("[data-refresh-seconds]");
  if (!box) return;
  const seconds = Number(box.dataset.refreshSeconds) || 2;
  const timer = setTimeout(() => window.location.reload(), seconds * 1000);
  const pause = box.querySelector("button[data-pause]");
  if (pause) {
    pause.hidden = false;
    pause.addEventListener("click", () => {
      clearTimeout(timer);
      pause.hidden = true;
    });
  }
})();
