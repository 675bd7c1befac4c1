// The cart page: steppers change a line at once (the server prices it: orders/pricing.py), the check boxes
// choose what 结算 takes, and the total follows both. Without JavaScript the steppers and the deletes post
// their forms and the page comes back with the same figures.
(function () {
  var total = document.getElementById("cart-total");
  var picked = document.querySelector("[data-picked-count]");
  var checkout = document.getElementById("checkout");
  var selectAll = document.querySelector("[data-select-all]");
  var token = document.querySelector("#cart-checkout input[name=csrfmiddlewaretoken]");
  if (!total) { return; }

  // the server's line totals (fen) added up, written as the pages write money: ¥1,234.50
  function yuan(fen) {
    var whole = String(Math.floor(fen / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = String(fen % 100);
    return "¥" + whole + "." + (cents.length < 2 ? "0" + cents : cents);
  }
  function boxes() { return Array.prototype.slice.call(document.querySelectorAll("input[name=pick]")); }
  function refresh() {
    var sum = 0, count = 0;
    boxes().forEach(function (box) {
      if (box.checked) {
        sum += parseInt(box.closest("[data-line]").dataset.total, 10) || 0;
        count += 1;
      }
    });
    total.textContent = yuan(sum);
    if (picked) { picked.textContent = count; }
    if (checkout) { checkout.disabled = count === 0; }
    document.querySelectorAll("[data-group]").forEach(function (group) {
      var own = group.querySelectorAll("input[name=pick]");
      var all = Array.prototype.every.call(own, function (box) { return box.checked; });
      var toggle = group.querySelector("[data-select-group]");
      if (toggle) { toggle.checked = all && own.length > 0; }
    });
    if (selectAll) { selectAll.checked = boxes().every(function (box) { return box.checked; }); }
  }
  document.querySelectorAll("[data-select-group], [data-select-all]").forEach(function (toggle) {
    toggle.hidden = false;
    var label = toggle.closest("label");
    if (label) { label.hidden = false; }
    toggle.addEventListener("change", function () {
      var scope = toggle.hasAttribute("data-select-all") ? document : toggle.closest("[data-group]");
      scope.querySelectorAll("input[name=pick]").forEach(function (box) { box.checked = toggle.checked; });
      refresh();
    });
  });
  boxes().forEach(function (box) { box.addEventListener("change", refresh); });

  // a stepper: −/+ or a typed quantity, sent at once; the answer is the line's new quantity and total
  function send(form, quantity) {
    var body = new FormData(form);
    body.delete("step");
    body.set("quantity", quantity);
    form.classList.add("busy");
    return fetch(form.action, {
      method: "POST",
      body: body,
      headers: { "Accept": "application/json", "X-CSRFToken": token ? token.value : "" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (answer) {
      var line = form.closest("[data-line]");
      var input = form.querySelector("input[name=quantity]");
      input.value = answer.quantity;
      line.dataset.total = answer.total_amount;
      line.querySelector("[data-line-total]").textContent = answer.total;
      form.querySelector("button[value='-1']").disabled = answer.quantity <= 1;
      form.querySelector("button[value='1']").disabled = answer.quantity >= answer.max_quantity;
      refresh();
    }).catch(function () {
      form.submit();  // let the page do it the plain way
    }).then(function () { form.classList.remove("busy"); });
  }
  document.querySelectorAll("[data-stepper]").forEach(function (form) {
    var input = form.querySelector("input[name=quantity]");
    form.querySelectorAll("button[name=step]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var next = Math.max(1, Math.min(99, (parseInt(input.value, 10) || 1) + parseInt(button.value, 10)));
        send(form, next);
      });
    });
    input.addEventListener("change", function () {
      send(form, Math.max(1, Math.min(99, parseInt(input.value, 10) || 1)));
    });
    form.addEventListener("submit", function (event) {
      if (!event.submitter || event.submitter.name !== "step") {
        event.preventDefault();
        send(form, Math.max(1, Math.min(99, parseInt(input.value, 10) || 1)));
      }
    });
  });
  refresh();
})();
