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

// Ctrl+Enter (⌘+Enter) sends the form being typed in: the hotline types all shift long.
document.addEventListener("keydown", function (e) {
  if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey)) return;
  var f = e.target.form;
  if (f && typeof f.requestSubmit === "function") { e.preventDefault(); f.requestSubmit(); }
});

// A print button (the printed 突发事件信息报告): the browser's own print dialog.
document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));

// 单位选择: a select marked data-picker (the unit tree, indented by depth) gains a search box;
// a multiple one shows what is chosen as chips that remove it, and a click toggles one unit
// without losing the others. The select stays the form's field: without this script it is an
// ordinary list.
document.querySelectorAll("select[data-picker]").forEach(function (sel) {
  var en = document.documentElement.lang === "en";
  var box = document.createElement("div");
  box.className = "picker";
  var search = document.createElement("input");
  search.type = "search";
  search.placeholder = en ? "Type to find a unit" : "输入名称查找单位";
  var label = sel.closest("label");
  search.setAttribute("aria-label", (label ? label.firstChild.textContent.trim() + "：" : "") + search.placeholder);
  box.appendChild(search);
  var chips = document.createElement("div");
  chips.className = "chips";
  chips.setAttribute("aria-live", "polite");
  if (sel.multiple) box.appendChild(chips);
  sel.parentNode.insertBefore(box, sel);
  if (!sel.multiple) sel.size = 6;
  function drawChips() {
    chips.textContent = "";
    Array.from(sel.selectedOptions).forEach(function (o) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "chip";
      b.textContent = o.text.trim() + " ×";
      b.setAttribute("aria-label", (en ? "Remove " : "移除 ") + o.text.trim());
      b.addEventListener("click", function () { o.selected = false; drawChips(); });
      chips.appendChild(b);
    });
    if (!sel.selectedOptions.length) chips.textContent = en ? "None chosen" : "未选择";
  }
  search.addEventListener("input", function () {
    var q = search.value.trim();
    Array.from(sel.options).forEach(function (o) { o.hidden = q !== "" && o.value !== "" && o.text.indexOf(q) < 0; });
  });
  // Enter picks the first unit found instead of sending the form.
  search.addEventListener("keydown", function (e) {
    if (e.key !== "Enter") return;
    e.preventDefault();
    var first = Array.from(sel.options).find(function (o) { return !o.hidden && o.value !== ""; });
    if (first) { first.selected = sel.multiple ? !first.selected : true; drawChips(); search.select(); }
  });
  sel.addEventListener("mousedown", function (e) {
    if (!sel.multiple || e.target.tagName !== "OPTION") return;
    e.preventDefault();
    e.target.selected = !e.target.selected;
    sel.focus();
    drawChips();
  });
  sel.addEventListener("change", drawChips);
  drawChips();
});
