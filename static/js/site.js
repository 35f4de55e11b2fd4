// Progressive enhancement only: every control here is a working link without JavaScript.
(function () {
  "use strict";

  function copyLink(event) {
    var link = event.currentTarget;
    if (!navigator.clipboard || !window.isSecureContext) {
      return; // Follow the plain link instead; its address can be copied from the bar.
    }
    event.preventDefault();
    var status = link.parentNode.querySelector(".copy-status");
    navigator.clipboard.writeText(link.href).then(
      function () { if (status) { status.textContent = status.getAttribute("data-copied") || "Link copied"; } },
      function () { window.location.href = link.href; }
    );
  }

  document.querySelectorAll("[data-copy-link]").forEach(function (link) {
    link.addEventListener("click", copyLink);
  });
})();
