/* Stand-in for Google Analytics: proves whether it ran, and sets its cookies. */
(function () {
  "use strict";
  window.__analyticsRan = true;
  var year = 60 * 60 * 24 * 365 * 2;
  var id = "GA1.1." + Math.floor(Math.random() * 1e9) + "." + Math.floor(Date.now() / 1000);
  document.cookie = "_ga=" + id + "; Max-Age=" + year + "; Path=/; SameSite=Lax";
  document.cookie = "_gid=GA1.1." + Math.floor(Math.random() * 1e9) + "; Max-Age=86400; Path=/; SameSite=Lax";
  var status = document.getElementById("status-ga");
  if (status) { status.textContent = "ran"; }
})();
