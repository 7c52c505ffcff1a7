// Progressive enhancements; every page reads fully without this file.
(function () {
  "use strict";
  // Search page: start Pagefind's UI (served from this site, no CDN) and run ?q= from the header form.
  var mount = document.getElementById("search");
  if (mount && typeof window.PagefindUI === "function") {
    var ui = new window.PagefindUI({ element: "#search", showSubResults: true, resetStyles: false });
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) { ui.triggerSearch(q); }
    // Pagefind's input has only a placeholder and a title; screen readers need a label.
    var label = function () {
      var input = mount.querySelector("input.pagefind-ui__search-input");
      if (input && !input.hasAttribute("aria-label")) { input.setAttribute("aria-label", "Search the portal"); }
      return !!input;
    };
    if (!label() && typeof MutationObserver === "function") {
      var watch = new MutationObserver(function () { if (label()) { watch.disconnect(); } });
      watch.observe(mount, { childList: true, subtree: true });
    }
  }
  // Copy buttons on code blocks.
  if (navigator.clipboard) {
    document.querySelectorAll("pre.code").forEach(function (pre) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy";
      button.textContent = "Copy";
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(pre.innerText).then(function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = "Copy"; }, 1500);
        });
      });
      pre.parentNode.insertBefore(button, pre);
    });
  }
})();
