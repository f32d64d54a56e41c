"use strict";
// Sorting and filtering of tables marked data-sortable; nothing else runs on the page.
document.querySelectorAll("table[data-sortable]").forEach(function (table) {
  var body = table.tBodies[0];
  table.querySelectorAll("th").forEach(function (th, index) {
    th.addEventListener("click", function () {
      var dir = th.getAttribute("data-dir") === "asc" ? "desc" : "asc";
      table.querySelectorAll("th").forEach(function (other) { other.removeAttribute("data-dir"); });
      th.setAttribute("data-dir", dir);
      var numeric = th.hasAttribute("data-numeric");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[index].getAttribute("data-sort") || a.cells[index].textContent;
        var y = b.cells[index].getAttribute("data-sort") || b.cells[index].textContent;
        var c = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
        return dir === "asc" ? c : -c;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
document.querySelectorAll("input[data-filter]").forEach(function (input) {
  var table = document.getElementById(input.getAttribute("data-filter"));
  var count = document.getElementById(input.getAttribute("data-filter") + "-count");
  input.addEventListener("input", function () {
    var needle = input.value.toLowerCase();
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var hit = row.textContent.toLowerCase().indexOf(needle) !== -1;
      row.hidden = !hit;
      shown += hit ? 1 : 0;
    });
    if (count) { count.textContent = String(shown); }
  });
});
