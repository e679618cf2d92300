/* Docket review workspace: box highlighting and click-to-fill on the task page.
 * Plain JavaScript, no build step. Copyright the Docket authors; same licence as the project. */
(function () {
  "use strict";
  var form = document.getElementById("approve-form");
  if (!form) { return; }
  var active = null;

  function boxesOf(field) {
    return document.querySelectorAll('.field-box[data-field="' + field + '"]');
  }

  function highlight(field) {
    document.querySelectorAll(".field-box.active, .field-row.active").forEach(function (el) {
      el.classList.remove("active");
    });
    if (!field) { return; }
    var row = document.querySelector('.field-row[data-field="' + field + '"]');
    if (row) { row.classList.add("active"); }
    var boxes = boxesOf(field);
    boxes.forEach(function (el) { el.classList.add("active"); });
    if (boxes.length) { reveal(boxes[0]); }
  }

  function reveal(box) {
    // Scroll the page viewer only, not the window: the form stays where the reviewer is typing.
    var viewer = document.getElementById("viewer");
    var at = box.getBoundingClientRect(), frame = viewer.getBoundingClientRect();
    viewer.scrollBy({top: at.top - frame.top - frame.height / 2, left: 0, behavior: "auto"});
  }

  function union(a, b) {
    if (!a || a.page !== b.page) { return b; }
    return {page: b.page, x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0),
            x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1)};
  }

  function fill(input, text, box, append) {
    var hidden = document.getElementById("box_" + input.dataset.field);
    var previous = append && hidden.value ? JSON.parse(hidden.value) : null;
    input.value = append && input.value ? input.value + " " + text : text;
    hidden.value = JSON.stringify(union(previous, box));
    input.classList.add("corrected");
    input.dispatchEvent(new Event("change", {bubbles: true}));
  }

  form.querySelectorAll(".field-input").forEach(function (input) {
    input.addEventListener("focus", function () {
      if (input.readOnly) { highlight(input.dataset.field); return; }
      active = input;
      highlight(input.dataset.field);
    });
    input.addEventListener("input", function () {
      // Typed by hand: the value no longer comes from a box.
      document.getElementById("box_" + input.dataset.field).value = "";
    });
  });

  document.querySelectorAll(".field-box").forEach(function (box) {
    box.addEventListener("click", function () {
      var input = document.getElementById("f_" + box.dataset.field);
      if (input) { input.focus(); }
    });
  });

  document.querySelectorAll(".word-box").forEach(function (word) {
    word.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the field focused
    word.addEventListener("click", function (event) {
      if (!active || active.readOnly) { return; }
      fill(active, word.dataset.text, JSON.parse(word.dataset.box), event.shiftKey);
      word.classList.add("picked");
    });
  });

  var approve = document.getElementById("approve");
  if (approve) {
    form.addEventListener("submit", function () { approve.disabled = true; });  // one click, one verdict
  }
})();
