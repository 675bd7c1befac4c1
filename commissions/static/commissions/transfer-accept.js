// 确认收款: hand a WeChat merchant transfer's package to WeChat (inside WeChat's browser only).
// WeChat shows its own confirmation; the outcome reaches the platform by WeChat Pay's notification.
(function () {
  var button = document.getElementById("accept-transfer");
  if (!button) return;
  var message = document.getElementById("accept-message");
  button.addEventListener("click", function () {
    if (typeof WeixinJSBridge === "undefined") {
      message.textContent = "请在微信中打开本页";
      return;
    }
    WeixinJSBridge.invoke(
      "requestMerchantTransfer",
      { mchId: button.dataset.mchId, appId: button.dataset.appId, package: button.dataset.package },
      function (result) {
        if (result.err_msg === "requestMerchantTransfer:ok") {
          message.textContent = "已确认，稍后到账";
          window.location.href = button.dataset.done;
        } else {
          message.textContent = "未完成确认，可稍后再试";
        }
      }
    );
  });
})();
