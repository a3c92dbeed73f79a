/*
 * Pledge site beacon: first-party log data, only after analytics consent.
 *
 * Never load this file directly. Put it in the page held back by the cookie
 * banner, so it is not even fetched before the visitor accepts analytics, nor
 * after a refusal, nor under Global Privacy Control (which the banner records
 * as a refusal):
 *   <script src="https://PLEDGE/consent.js" defer></script>
 *   <script type="text/plain" data-pledge-category="analytics"
 *           src="https://PLEDGE/static/beacon.js"></script>
 * It sends one page view when the page is left (hidden or unloaded): the path,
 * another site's referrer (the server keeps only search terms from known
 * engines), the ids of forms used, the time on the page, and the browser's
 * language, screen width class and Do Not Track setting. No cookie, no id.
 */
(function () {
  "use strict";

  var current = document.currentScript;
  var origin = current && current.src ? new URL(current.src).origin : location.origin;
  var started = Date.now();
  var forms = {};
  var sent = false;

  function consented() {
    var state = window.PledgeConsent && window.PledgeConsent.state();
    return !!(state && state.c && state.c.analytics === true);
  }

  function foreignReferrer() {
    if (!document.referrer) { return null; }
    try {
      return new URL(document.referrer).origin === location.origin ? null : document.referrer;
    } catch (e) {
      return null;
    }
  }

  function screenClass() {
    var width = window.screen ? window.screen.width : 0;
    return width < 768 ? "small" : width < 1280 ? "medium" : "large";
  }

  function language() {
    var lang = navigator.language || "";
    return /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/.test(lang) ? lang : null;
  }

  function noteForm(event) {
    var form = event.target && event.target.closest ? event.target.closest("form[id]") : null;
    // The attribute, not form.id: a field named "id" would stand in for the property.
    var id = form ? form.getAttribute("id") : "";
    if (/^[A-Za-z0-9_-]{1,64}$/.test(id)) { forms[id] = true; }
  }

  function send() {
    if (sent || !consented()) { return; }
    sent = true;
    var referrer = foreignReferrer();
    var body = {
      path: location.pathname.slice(0, 300),
      referrer: referrer ? referrer.slice(0, 2000) : null,
      landing: !document.referrer || referrer !== null,
      forms: Object.keys(forms).slice(0, 20),
      seconds: Math.min(86400, Math.max(0, Math.round((Date.now() - started) / 1000))),
      language: language(),
      screen: screenClass(),
      do_not_track: navigator.doNotTrack === "1" || window.doNotTrack === "1"
    };
    fetch(origin + "/api/v1/beacon", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      credentials: "omit",
      keepalive: true,
      body: JSON.stringify(body)
    }).catch(function () {});
  }

  document.addEventListener("focusin", noteForm);
  document.addEventListener("submit", noteForm);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { send(); }
  });
  window.addEventListener("pagehide", send);
  window.PledgeBeacon = {send: send};
})();
