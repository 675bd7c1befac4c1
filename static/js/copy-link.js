// 复制链接: a button beside a share link copies it with the Clipboard API and says 已复制 where the
// person can see it; where the API is missing or refused (an old WebView, a page not served over HTTPS)
// it selects the link and tries the older copy command, else asks to press and hold. Without JavaScript
// the button stays hidden and the link is still there to select. Included once per link: binds once.
(function () {
  if (window.copyLinkBound) { return; }
  window.copyLinkBound = true;

  function say(button, text) {
    var box = button.closest(".copy-link");
    var status = box && box.querySelector(".copy-done");
    if (!status) { return; }
    status.textContent = text;
    status.classList.add("shown");
    clearTimeout(button.copyTimer);
    button.copyTimer = setTimeout(function () { status.classList.remove("shown"); status.textContent = ""; }, 3000);
  }

  function copied(button) {
    var text = button.closest(".copy-link").querySelector(".copy-done-text");
    say(button, text ? text.textContent : "");
  }

  function selectAndCopy(input, button) {
    input.focus();
    input.select();
    input.setSelectionRange(0, input.value.length);
    var done = false;
    try { done = document.execCommand("copy"); } catch (error) { done = false; }
    if (done) { copied(button); } else { say(button, button.dataset.manual); }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var input = document.getElementById(button.dataset.copy);
    if (!input) { return; }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(
        function () { copied(button); },
        function () { selectAndCopy(input, button); }
      );
    } else {
      selectAndCopy(input, button);
    }
  });

  function reveal() {
    document.querySelectorAll("[data-copy][hidden]").forEach(function (button) { button.hidden = false; });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", reveal); } else { reveal(); }
})();
