// Small helps for the order pages; every page works without them.
(function () {
  // Product page: the picker's radios post with the buy form (form="buy"); sold-out ones are disabled,
  // so once one is chosen the buttons may be used (they start disabled on a sold-out option).
  document.querySelectorAll("input[name=sku][form=buy]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      document.querySelectorAll("[data-buy-button]").forEach(function (button) { button.disabled = false; });
    });
  });
  // Checkout: the new-address fields show, and are required, only while "A new address" is chosen,
  // so a returning buyer keeps a saved address without the browser asking for a recipient.
  var newAddress = document.querySelector("[data-new-address]");
  var choices = document.querySelectorAll("input[name=address][type=radio]");
  if (newAddress && choices.length) {
    var follow = function () {
      var chosen = document.querySelector("input[name=address][type=radio]:checked");
      var isNew = !chosen || chosen.value === "new";
      newAddress.hidden = !isNew;
      newAddress.querySelectorAll("[data-required-for-new]").forEach(function (field) { field.required = isNew; });
    };
    choices.forEach(function (radio) { radio.addEventListener("change", follow); });
    follow();
    window.addEventListener("pageshow", follow);
  }
  // Address form: a province refills the cities, a city refills the districts.
  function refill(select, parent, blank) {
    select.innerHTML = "";
    var first = document.createElement("option");
    first.value = ""; first.textContent = blank;
    select.appendChild(first);
    if (!parent) { return; }
    fetch("/regions/?parent=" + encodeURIComponent(parent)).then(function (r) { return r.json(); }).then(function (data) {
      data.regions.forEach(function (region) {
        var option = document.createElement("option");
        option.value = region.code; option.textContent = region.name;
        select.appendChild(option);
      });
    });
  }
  var province = document.querySelector("[data-region-level=province]");
  var city = document.querySelector("[data-region-level=city]");
  var district = document.querySelector("[data-region-level=district]");
  if (province && city && district) {
    var blankCity = city.options[0] ? city.options[0].textContent : "";
    var blankDistrict = district.options[0] ? district.options[0].textContent : "";
    province.addEventListener("change", function () { refill(city, province.value, blankCity); refill(district, "", blankDistrict); });
    city.addEventListener("change", function () { refill(district, city.value, blankDistrict); });
    document.querySelectorAll("[data-refresh-regions]").forEach(function (button) { button.style.display = "none"; });
  }
})();
