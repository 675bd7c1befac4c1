// The withdrawal form says, as the amount is typed, what the fee and the tax withheld are and what will arrive. The server
// computes it (GET the form's data-quote-url with ?amount=): the page never has a fee rule of its own,
// and the request itself is checked again when it is sent. Without JavaScript the form still states the
// minimum and the fee, and shows the figures for an amount sent back with an error.
(function () {
  var form = document.querySelector("form[data-quote-url]");
  if (!form) { return; }
  var input = form.querySelector("input[name=amount]");
  var fee = document.getElementById("quote-fee");
  var arrives = document.getElementById("quote-arrives");
  var tax = document.getElementById("quote-tax");  // only when tax is withheld
  var note = document.getElementById("quote-note");
  if (!input || !fee || !arrives) { return; }
  var timer = null;
  var asked = 0;

  function blank() {
    fee.textContent = "—";
    arrives.textContent = "—";
    if (tax) { tax.textContent = "—"; }
    if (note) { note.hidden = true; }
  }

  function ask() {
    var amount = input.value.trim();
    if (!amount) { blank(); return; }
    var mine = ++asked;
    fetch(form.dataset.quoteUrl + "?amount=" + encodeURIComponent(amount), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (mine !== asked) { return; }  // a later keystroke's answer wins
      if (!answer.ok) { blank(); return; }
      fee.textContent = answer.body.fee;
      arrives.textContent = answer.body.arrives;
      if (tax) { tax.textContent = answer.body.tax; }
      if (note) { note.hidden = !answer.body.below_minimum; }
    }).catch(blank);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 250);
  });
  if (input.value) { ask(); }
})();
