// Inside WeChat's browser: hand the signed prepay (rendered by the server) to WeChat's bridge, then go
// back to the return page, which asks WeChat Pay what happened (the bridge's answer proves nothing).
(function () {
  var data = document.getElementById("wechat-invoke");
  var back = document.getElementById("wechat-back");
  if (!data || !back) return;
  var invoke = JSON.parse(data.textContent);
  function pay() {
    window.WeixinJSBridge.invoke("getBrandWCPayRequest", invoke, function () {
      window.location.href = back.href;
    });
  }
  if (window.WeixinJSBridge) pay();
  else document.addEventListener("WeixinJSBridgeReady", pay, false);
})();
