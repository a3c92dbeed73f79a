/* Stand-in for HubSpot tracking: proves whether it ran, and sets its cookies. */
(function () {
  "use strict";
  window.__hubspotRan = true;
  var months13 = 60 * 60 * 24 * 395;
  document.cookie = "__hstc=stand-in." + Date.now() + "; Max-Age=" + months13 + "; Path=/; SameSite=Lax";
  document.cookie = "hubspotutk=" + Math.floor(Math.random() * 1e12) + "; Max-Age=" + months13 + "; Path=/; SameSite=Lax";
  var status = document.getElementById("status-hubspot");
  if (status) { status.textContent = "ran"; }
})();
