/* The self-study form's material list: typing in the box above it keeps only the titles that hold
   every character typed (in any order, as 党章 finds 学习党章) and picks the first of them. */
(function () {
  "use strict";
  function narrow(box) {
    var list = document.getElementById(box.getAttribute("data-picker-for"));
    if (!list) { return; }
    var words = box.value.replace(/\s+/g, "");
    var first = null;
    Array.prototype.forEach.call(list.options, function (option) {
      var text = option.textContent;
      var keep = !option.value || Array.prototype.every.call(words, function (ch) { return text.indexOf(ch) >= 0; });
      option.hidden = !keep;
      if (keep && option.value && !first) { first = option; }
    });
    Array.prototype.forEach.call(list.querySelectorAll("optgroup"), function (group) {
      group.hidden = !group.querySelector("option:not([hidden])");
    });
    if (words && first) { first.selected = true; }
  }
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (el.matches && el.matches("input[data-picker-for]")) { narrow(el); }
  });
})();
