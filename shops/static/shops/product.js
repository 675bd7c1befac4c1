// Product page: the big price and the stock hint follow the chosen option. The server wrote each
// option's price (the shop's price, in yuan, as it charges it) and stock hint on its radio; this only
// shows them. Without JavaScript each option still shows its own price, and the cart gets the one chosen.
(function () {
  var price = document.getElementById("price");
  var hint = document.getElementById("stock-hint");
  var radios = document.querySelectorAll("input[name=sku][data-price]");
  if (!price || !radios.length) { return; }
  function show() {
    radios.forEach(function (radio) {
      if (radio.checked) {
        price.textContent = radio.dataset.price;
        if (hint) { hint.textContent = radio.dataset.stockHint; }
      }
    });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", show); });
  // the browser may restore another choice on Back or reload: show that one's price, not the server's default
  show();
  window.addEventListener("pageshow", show);
})();
