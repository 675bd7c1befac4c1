// Flash sales: every [data-countdown] counts down to its data-deadline (epoch seconds), corrected by the
// server's clock (data-now); at zero the page reloads, so the slot's new state shows (started, ended).
(function () {
  "use strict";
  var clocks = document.querySelectorAll("[data-countdown]");
  if (!clocks.length) return;
  var skew = Number(clocks[0].getAttribute("data-now")) * 1000 - Date.now();
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var now = Date.now() + skew;
    clocks.forEach(function (clock) {
      var left = Math.max(0, Math.floor((Number(clock.getAttribute("data-deadline")) * 1000 - now) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      clock.querySelector("[data-countdown-time]").textContent = (h ? pad(h) + ":" : "") + pad(m) + ":" + pad(s);
      if (left === 0 && !clock.hasAttribute("data-done")) {
        clock.setAttribute("data-done", "");
        window.setTimeout(function () { window.location.reload(); }, 800);
      }
    });
  }
  tick();
  window.setInterval(tick, 1000);
})();
