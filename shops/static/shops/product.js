// Product page: the big price, the crossed-out list price, the stock hint and the chosen option's name
// follow the chosen option. The server wrote each option's price (the shop's price, in yuan, as it charges
// it), list price (only where higher) and stock hint on its radio; this only shows them. Without JavaScript
// each option still shows its own price, the sheet opens from its link (CSS :target), and the cart gets the
// one chosen.
(function () {
  var price = document.getElementById("price");
  var listPrice = document.getElementById("list-price");
  var hint = document.getElementById("stock-hint");
  var chosen = document.getElementById("chosen-spec");
  var sheet = document.getElementById("sku-sheet");
  var sheetPrice = document.querySelector("[data-sheet-price]");
  var sheetStock = document.querySelector("[data-sheet-stock]");
  var radios = document.querySelectorAll("input[name=sku][data-price]");
  if (!price || !radios.length) { return; }
  function show() {
    radios.forEach(function (radio) {
      if (!radio.checked) { return; }
      price.textContent = radio.dataset.price;
      if (sheetPrice) { sheetPrice.textContent = radio.dataset.price; }
      if (listPrice) {
        listPrice.textContent = radio.dataset.listPrice || "";
        listPrice.hidden = !radio.dataset.listPrice;
      }
      if (hint) {
        hint.textContent = radio.dataset.stockHint;
        hint.classList.toggle("low", radio.dataset.low === "1");
      }
      if (sheetStock) { sheetStock.textContent = radio.dataset.stockHint; }
      if (chosen) { chosen.textContent = radio.dataset.spec; }
    });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", show); });
  // the browser may restore another choice on Back or reload: show that one's price, not the server's default
  show();
  window.addEventListener("pageshow", show);

  // the quantity stepper
  var quantity = document.getElementById("buy-quantity");
  document.querySelectorAll("[data-step]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var next = (parseInt(quantity.value, 10) || 1) + parseInt(button.dataset.step, 10);
      quantity.value = Math.max(1, Math.min(99, next));
    });
  });

  // with several options, the bar's buttons open the sheet first; tapped again (sheet open), they post
  var several = sheet && sheet.classList.contains("multi");
  // a wide screen shows the options in the page: nothing to open there
  function isOpen() { return location.hash === "#sku-sheet" || getComputedStyle(sheet).position !== "fixed"; }
  document.querySelectorAll("#buy [data-buy-button]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (several && !isOpen()) {
        event.preventDefault();
        location.hash = "sku-sheet";
      }
    });
  });
  // a tap outside the open sheet (on the dimmed page) closes it
  document.addEventListener("click", function (event) {
    if (sheet && location.hash === "#sku-sheet" && !sheet.contains(event.target) && !event.target.closest("#buy, [data-open-sheet]")) {
      location.hash = "";
    }
  });

  // the gallery's counter: 2/5
  var gallery = document.getElementById("gallery");
  var at = document.getElementById("gallery-at");
  if (gallery && at) {
    gallery.addEventListener("scroll", function () {
      at.textContent = Math.round(gallery.scrollLeft / gallery.clientWidth) + 1;
    }, { passive: true });
  }
})();
