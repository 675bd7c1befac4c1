// The checkout's coupon picker: the total and the saving follow the coupon chosen (the server computed each
// option's saving exactly as placing will; nothing is computed here but a subtraction in fen).
(function () {
  "use strict";
  var picker = document.querySelector("[data-coupon-picker]");
  var total = document.getElementById("checkout-total");
  if (!picker || !total) return;
  var saving = document.getElementById("coupon-saving");
  function yuan(fen) {
    return "¥" + (fen / 100).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  picker.addEventListener("change", function (event) {
    var chosen = event.target;
    if (chosen.name !== "coupon") return;
    var off = parseInt(chosen.getAttribute("data-saving"), 10) || 0;
    total.textContent = yuan(parseInt(total.getAttribute("data-total"), 10) - off);
    if (saving) saving.textContent = off ? picker.getAttribute("data-saves").replace("%s", chosen.getAttribute("data-saving-label")) : "";
  });
})();
