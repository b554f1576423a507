// luoshi: progressive enhancement only; every page works without this file.
document.addEventListener("click", function (e) {
  var back = e.target.closest("[data-back]");
  if (back && history.length > 1) { e.preventDefault(); history.back(); }
});
document.addEventListener("submit", function (e) {
  var f = e.target;
  if (f.action && /\/disable$/.test(f.action) && !window.confirm(document.documentElement.lang === "en" ? "Disable this account?" : "确定停用该账号？")) {
    e.preventDefault();
  }
});

// A print button (the printed 突发事件信息报告): the browser's own print dialog.
document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));
