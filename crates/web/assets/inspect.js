// luoshi: the inspection form on a phone. Without this file the form posts as it is; with it,
// photos are shrunk before they travel, the submission goes in the background with the form
// kept until the server says it has it, and a retry carries the same key (never recorded twice).
(function () {
  var form = document.getElementById("inspect");
  if (!form || !window.fetch || !window.FormData) return;
  var msgs = document.getElementById("msgs").dataset;
  var status = document.getElementById("status");
  var key = form.elements.client_key;
  function newKey() {
    key.value = window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
  }
  newKey();
  function say(text, kind, link) {
    status.hidden = false;
    status.className = "status " + kind;
    status.textContent = text;
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = " " + link.text;
      status.appendChild(a);
    }
    status.scrollIntoView({ block: "center" });
  }
  // A photo redrawn at most 1600 px on its long side as JPEG: a few hundred KB on a slow line.
  function shrink(file) {
    return new Promise(function (done) {
      if (!/^image\//.test(file.type) || !window.createImageBitmap) return done(file);
      createImageBitmap(file).then(function (img) {
        var scale = Math.min(1, 1600 / Math.max(img.width, img.height));
        var c = document.createElement("canvas");
        c.width = Math.round(img.width * scale);
        c.height = Math.round(img.height * scale);
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        c.toBlob(function (b) { done(b ? new File([b], file.name.replace(/\.\w+$/, "") + ".jpg", { type: "image/jpeg" }) : file); }, "image/jpeg", 0.8);
      }, function () { done(file); });
    });
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var button = form.querySelector("button");
    var files = Array.prototype.slice.call(form.elements.photos.files || []);
    if (files.length > Number(form.dataset.maxPhotos)) {
      say(form.dataset.maxPhotos + " ×", "error");
      return;
    }
    button.disabled = true;
    say(msgs.sending, "pending");
    Promise.all(files.map(shrink)).then(function (small) {
      var data = new FormData(form);
      data.delete("photos");
      small.forEach(function (f) { data.append("photos", f, f.name); });
      var ctl = window.AbortController ? new AbortController() : null;
      var timer = ctl && setTimeout(function () { ctl.abort(); }, 90000);
      return fetch(form.dataset.api, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "x-csrf-token": form.dataset.csrf, accept: "application/json" },
        signal: ctl ? ctl.signal : undefined
      }).then(function (res) {
        clearTimeout(timer);
        return res.json().then(function (body) { return { ok: res.ok, body: body }; });
      });
    }).then(function (r) {
      button.disabled = false;
      if (r.ok) {
        var n = (r.body.hazards || []).length;
        say(msgs.done.replace("{n}", n), "flash", { href: "/hazards/inspections/" + r.body.inspection_id, text: "→" });
        form.reset();
        newKey();
      } else {
        // Refused: the message names the field; what was typed stays.
        say((r.body.error && r.body.error.message) || msgs.failed, "error");
      }
    }).catch(function () {
      button.disabled = false;
      // Not through (no signal, timed out): everything stays; sending again uses the same key.
      say(navigator.onLine === false ? msgs.offline : msgs.failed, "error");
    });
  });
})();
