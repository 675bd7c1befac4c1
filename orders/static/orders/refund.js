// The refund page: the names of the photos chosen show beside our own 添加图片 button (the browser's
// file button is hidden: it speaks the browser's language, not the page's).
(function () {
  var input = document.querySelector(".photo-picker input[type=file]");
  var names = document.querySelector("[data-photo-names]");
  if (!input || !names) { return; }
  var none = names.textContent;
  input.addEventListener("change", function () {
    var chosen = Array.prototype.map.call(input.files, function (file) { return file.name; });
    names.textContent = chosen.length ? chosen.join("、") : none;
  });
})();
