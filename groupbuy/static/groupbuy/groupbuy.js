// group buying: the countdowns tick (hh:mm:ss left); the server's time is the truth on every load
(function () {
  "use strict";
  var nodes = document.querySelectorAll("[data-seconds-left]");
  if (!nodes.length) return;
  var started = Date.now();
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var gone = Math.floor((Date.now() - started) / 1000);
    nodes.forEach(function (node) {
      var left = Math.max(parseInt(node.getAttribute("data-seconds-left"), 10) - gone, 0);
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      node.textContent = (node.getAttribute("data-label") || "剩余") + " " + pad(h) + ":" + pad(m) + ":" + pad(s);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
