// After a passkey is added (django-otp-webauthn's script announces it with an event), go on
// to the page the form names: the admin after the first sign-in, or the refreshed list.
(function () {
  "use strict";
  document.addEventListener("otp_webauthn.register_complete", function (event) {
    var box = event.target.closest("[data-after-register]");
    window.location.assign((box && box.dataset.afterRegister) || window.location.href);
  });
})();
