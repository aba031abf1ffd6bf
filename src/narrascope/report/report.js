// narrascope report: toggles, confidence threshold, click-for-details. No network access.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("ns-data").textContent);
  var spans = data.spans;
  var slider = document.getElementById("threshold");
  var shown = document.getElementById("threshold-value");
  var details = document.getElementById("details-body");

  function layerOn(layer) {
    var box = document.querySelector('.layer-toggle[data-layer="' + CSS.escape(layer) + '"]');
    return !box || box.checked;
  }
  function visible(id) {
    var s = spans[id];
    if (!s || !layerOn(s.layer)) return false;
    return s.score === null || s.score === undefined || s.score >= parseFloat(slider.value);
  }
  function refresh() {
    shown.textContent = parseFloat(slider.value).toFixed(2);
    document.querySelectorAll("mark.seg").forEach(function (m) {
      var ids = m.dataset.ids.split(" ").filter(visible);
      if (ids.length) {
        m.classList.remove("off");
        m.style.background = spans[ids[0]].color;
      } else {
        m.classList.add("off");
      }
    });
    document.querySelectorAll("tr.span-row").forEach(function (r) {
      r.classList.toggle("hidden", !visible(r.dataset.id));
    });
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text; // textContent: article text is never parsed as HTML
    return e;
  }
  function show(ids) {
    details.replaceChildren();
    ids.filter(visible).forEach(function (id) {
      var s = spans[id];
      var box = el("div", "detail");
      box.style.borderLeftColor = s.color;
      var head = el("div", "lbl", s.layer + ": " + s.label);
      if (s.score !== null && s.score !== undefined) head.textContent += " (" + s.score.toFixed(2) + ")";
      box.appendChild(head);
      if (s.explanation) box.appendChild(el("div", "expl", s.explanation));
      box.appendChild(el("div", "", "\u201c" + s.text + "\u201d [" + s.start + ":" + s.end + "]"));
      if (s.attrs && Object.keys(s.attrs).length) box.appendChild(el("pre", "", JSON.stringify(s.attrs, null, 1)));
      details.appendChild(box);
    });
  }
  document.querySelectorAll("mark.seg").forEach(function (m) {
    m.addEventListener("click", function () {
      document.querySelectorAll("mark.active").forEach(function (a) { a.classList.remove("active"); });
      m.classList.add("active");
      show(m.dataset.ids.split(" "));
    });
  });
  document.querySelectorAll("tr.span-row").forEach(function (r) {
    r.addEventListener("click", function () {
      show([r.dataset.id]);
      var mark = document.querySelector('mark.seg[data-ids~="' + CSS.escape(r.dataset.id) + '"]');
      if (mark) mark.scrollIntoView({ block: "center" });
    });
  });
  slider.addEventListener("input", refresh);
  document.querySelectorAll(".layer-toggle").forEach(function (b) { b.addEventListener("change", refresh); });
  refresh();
})();
