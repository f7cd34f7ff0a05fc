// "Copy" for the recovery codes page: a file, not inline, so the Content-Security-Policy allows it. The
// button stays hidden without JavaScript (the .txt download works without it).
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain-HTTP development (no secure context): a selected, off-screen textarea and the old command.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    const source = document.querySelector(button.dataset.copy);
    if (!source) return;
    const label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      const codes = Array.from(source.querySelectorAll("li"), function (li) { return li.textContent.trim(); });
      copyText(codes.join("\n")).then(
        function () { button.textContent = button.dataset.copiedLabel || "Copied"; },
        function () { button.textContent = "Copy failed: select the codes instead"; }
      );
      setTimeout(function () { button.textContent = label; }, 2500);
    });
  });
})();
