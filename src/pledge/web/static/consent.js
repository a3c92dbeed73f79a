/*
 * Pledge cookie consent: first-party, no external requests.
 *
 * Scripts marked <script type="text/plain" data-pledge-category="analytics"
 * data-pledge-service="..."> stay inert until their category (and service) is
 * accepted; then a real <script> is made from each. Refusing or withdrawing
 * never runs them and deletes their cookies (names from the policy).
 * Each choice is stored in the strictly necessary "pledge_consent" cookie and
 * recorded by the server with the banner's version hash. The banner returns
 * when that version changes or the choice is older than the configured
 * lifetime. Global Privacy Control (and Do Not Track, when the policy honours
 * it) is recorded as a refusal without showing the banner.
 * Closing the banner with Escape refuses: closing never means yes.
 */
(function () {
  "use strict";

  var current = document.currentScript;
  var origin = current && current.src ? new URL(current.src).origin : location.origin;
  var config = null;
  var state = null;
  var dialog = null;
  var lastFocus = null;
  var recorded = 0;

  function t(key) {
    return (config.strings && config.strings[key]) || key;
  }

  function readState() {
    var prefix = config.cookie + "=";
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      if (parts[i].indexOf(prefix) === 0) {
        try {
          return JSON.parse(decodeURIComponent(parts[i].slice(prefix.length)));
        } catch (e) {
          return null;
        }
      }
    }
    return null;
  }

  function writeState(value) {
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = config.cookie + "=" + encodeURIComponent(JSON.stringify(value)) +
      "; Max-Age=" + config.max_age_days * 86400 + "; Path=/; SameSite=Lax" + secure;
  }

  function isCurrent(value) {
    return !!value && value.v === config.version &&
      Date.now() - value.at < config.max_age_days * 86400000;
  }

  function visitorId() {
    if (state && /^[0-9a-f]{32}$/.test(state.id || "")) { return state.id; }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function allowed(category, service) {
    if (category === "strictly_necessary") { return true; }
    if (!isCurrent(state) || !state.c || state.c[category] !== true) { return false; }
    return !(service && state.s && state.s[service] === false);
  }

  function activateScripts() {
    var held = document.querySelectorAll('script[type="text/plain"][data-pledge-category]');
    Array.prototype.forEach.call(held, function (old) {
      if (old.getAttribute("data-pledge-activated")) { return; }
      if (!allowed(old.getAttribute("data-pledge-category"),
                   old.getAttribute("data-pledge-service"))) { return; }
      var live = document.createElement("script");
      Array.prototype.forEach.call(old.attributes, function (attr) {
        if (attr.name !== "type") { live.setAttribute(attr.name, attr.value); }
      });
      if (!old.src) { live.text = old.text; }
      old.setAttribute("data-pledge-activated", "1");
      old.parentNode.insertBefore(live, old.nextSibling);
    });
  }

  function expire(name) {
    var host = location.hostname;
    var domains = [""];
    var labels = host.split(".");
    for (var i = 0; i < labels.length - 1; i++) {
      domains.push(labels.slice(i).join("."), "." + labels.slice(i).join("."));
    }
    domains.forEach(function (domain) {
      document.cookie = name + "=; Max-Age=0; Path=/" + (domain ? "; Domain=" + domain : "");
    });
  }

  function clearRefusedCookies() {
    config.categories.forEach(function (category) {
      category.cookies.forEach(function (cookie) {
        if (!allowed(category.id, cookie.service)) { expire(cookie.name); }
      });
    });
  }

  function decide(choice, method) {
    state = {v: config.version, id: visitorId(), at: Date.now(), c: choice.categories,
             s: choice.services, m: method};
    writeState(state);
    clearRefusedCookies();
    activateScripts();
    fetch(origin + config.endpoint, {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      credentials: "same-origin",
      keepalive: true,
      body: JSON.stringify({visitor_id: state.id, version: config.version,
                            categories: choice.categories, services: choice.services,
                            method: method})
    }).then(function (response) {
      recorded += 1;
      document.documentElement.setAttribute("data-pledge-recorded", String(recorded));
      document.documentElement.setAttribute("data-pledge-record-status", String(response.status));
    });
    document.dispatchEvent(new CustomEvent("pledge:consent", {detail: state}));
  }

  function everything(value) {
    var choice = {categories: {}, services: {}};
    config.categories.forEach(function (c) {
      if (!c.required) { choice.categories[c.id] = value; }
    });
    config.services.forEach(function (s) { choice.services[s.id] = value; });
    return choice;
  }

  function fromToggles() {
    var choice = {categories: {}, services: {}};
    config.categories.forEach(function (category) {
      if (category.required) { return; }
      var box = dialog.querySelector('input[data-category="' + category.id + '"]');
      var any = box.checked;
      config.services.forEach(function (service) {
        if (service.category !== category.id) { return; }
        var sbox = dialog.querySelector('input[data-service="' + service.id + '"]');
        choice.services[service.id] = sbox.checked;
        any = any || sbox.checked;
      });
      choice.categories[category.id] = any;
    });
    return choice;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function button(action, label, cls) {
    return el("button", {type: "button", "data-action": action, "class": cls}, label);
  }

  function toggle(attrs, label, checked, disabled) {
    var id = "pledge-cc-" + (attrs["data-category"] || attrs["data-service"]);
    var wrap = el("div", {"class": "pledge-cc-toggle"});
    var input = el("input", Object.assign({type: "checkbox", id: id}, attrs));
    input.checked = checked;
    input.disabled = !!disabled;
    wrap.appendChild(input);
    wrap.appendChild(el("label", {"for": id}, label));
    return wrap;
  }

  function categoryBlock(category) {
    var set = el("fieldset", {"class": "pledge-cc-category"});
    var name = t("category." + category.id + ".name");
    set.appendChild(el("legend", {}, name));
    set.appendChild(el("p", {}, t("category." + category.id + ".description")));
    var on = category.required || allowed(category.id);
    set.appendChild(toggle({"data-category": category.id},
      category.required ? name + " (" + t("always_on") + ")" : name, on, category.required));
    config.services.forEach(function (service) {
      if (service.category !== category.id) { return; }
      set.appendChild(toggle({"data-service": service.id}, service.name,
                             allowed(category.id, service.id), false));
    });
    var details = el("details");
    details.appendChild(el("summary", {}, t("cookies")));
    var list = el("ul");
    category.cookies.forEach(function (c) {
      list.appendChild(el("li", {}, c.name + " — " + c.provider + " — " + c.purpose +
                                    " (" + t("lifetime") + ": " + c.lifetime + ")"));
    });
    details.appendChild(list);
    set.appendChild(details);
    return set;
  }

  function build() {
    var root = el("div", {"class": "pledge-cc", role: "dialog", "aria-modal": "true",
                          lang: config.lang || "en",
                          "aria-labelledby": "pledge-cc-title",
                          "aria-describedby": "pledge-cc-intro", tabindex: "-1"});
    var first = el("div", {"class": "pledge-cc-layer", "data-layer": "first"});
    first.appendChild(el("h2", {id: "pledge-cc-title"}, t("title")));
    var intro = el("p", {id: "pledge-cc-intro"}, t("intro") + " ");
    intro.appendChild(el("a", {href: config.policy_url}, t("policy_link")));
    first.appendChild(intro);
    var actions = el("div", {"class": "pledge-cc-actions"});
    actions.appendChild(button("accept", t("accept_all"), "pledge-cc-btn"));
    actions.appendChild(button("reject", t("reject_all"), "pledge-cc-btn"));
    actions.appendChild(button("customise", t("customise"), "pledge-cc-btn pledge-cc-secondary"));
    first.appendChild(actions);
    var custom = el("div", {"class": "pledge-cc-layer", "data-layer": "custom"});
    custom.hidden = true;
    config.categories.forEach(function (c) { custom.appendChild(categoryBlock(c)); });
    var more = el("div", {"class": "pledge-cc-actions"});
    more.appendChild(button("save", t("save"), "pledge-cc-btn"));
    more.appendChild(button("accept", t("accept_all"), "pledge-cc-btn"));
    more.appendChild(button("reject", t("reject_all"), "pledge-cc-btn"));
    more.appendChild(button("back", t("back"), "pledge-cc-btn pledge-cc-secondary"));
    custom.appendChild(more);
    root.appendChild(first);
    root.appendChild(custom);
    root.addEventListener("click", onClick);
    root.addEventListener("keydown", onKey);
    return root;
  }

  function showLayer(name) {
    Array.prototype.forEach.call(dialog.querySelectorAll(".pledge-cc-layer"), function (layer) {
      layer.hidden = layer.getAttribute("data-layer") !== name;
    });
    var target = name === "custom" ? dialog.querySelector('[data-layer="custom"] input:not([disabled])')
                                   : dialog;
    (target || dialog).focus();
  }

  function open() {
    if (dialog) { close(); }
    lastFocus = document.activeElement;
    dialog = build();
    document.body.appendChild(dialog);
    dialog.focus();
  }

  function close() {
    if (!dialog) { return; }
    dialog.parentNode.removeChild(dialog);
    dialog = null;
    if (lastFocus && lastFocus.focus && lastFocus !== document.body) { lastFocus.focus(); }
  }

  function onClick(event) {
    var action = event.target.getAttribute && event.target.getAttribute("data-action");
    if (!action) { return; }
    if (action === "customise") { showLayer("custom"); return; }
    if (action === "back") { showLayer("first"); return; }
    var choice = action === "accept" ? everything(true)
      : action === "reject" ? everything(false) : fromToggles();
    close();
    decide(choice, "banner");
  }

  function focusable() {
    return Array.prototype.filter.call(
      dialog.querySelectorAll("button, a[href], input:not([disabled]), summary"),
      function (node) { return node.offsetParent !== null; });
  }

  function onKey(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      var custom = dialog.querySelector('[data-layer="custom"]');
      if (!custom.hidden) { showLayer("first"); return; }
      if (isCurrent(state)) { close(); return; }
      close();
      decide(everything(false), "banner");
      return;
    }
    if (event.key !== "Tab") { return; }
    var items = focusable();
    if (!items.length) { return; }
    var at = items.indexOf(document.activeElement);
    var next = event.shiftKey ? (at <= 0 ? items.length - 1 : at - 1)
                              : (at === -1 || at === items.length - 1 ? 0 : at + 1);
    event.preventDefault();
    items[next].focus();
  }

  function signalled() {
    if (navigator.globalPrivacyControl === true || config.gpc) { return "gpc"; }
    var dnt = navigator.doNotTrack === "1" || window.doNotTrack === "1" || config.dnt;
    if (config.honours_do_not_track && dnt) { return "dnt"; }
    return null;
  }

  function start(loaded) {
    config = loaded;
    state = readState();
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("[data-pledge-open-settings]");
      if (link) { event.preventDefault(); open(); }
    });
    if (isCurrent(state)) {
      clearRefusedCookies();
      activateScripts();
      return;
    }
    var signal = signalled();
    if (signal) { decide(everything(false), signal); return; }
    open();
  }

  function boot() {
    var css = el("link", {rel: "stylesheet", href: origin + "/static/consent.css"});
    document.head.appendChild(css);
    // The banner speaks the host page's language where Pledge has it (else the visitor's).
    var lang = encodeURIComponent(document.documentElement.lang || "");
    fetch(origin + "/api/v1/cookie-banner?lang=" + lang, {credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(start);
  }

  window.PledgeConsent = {
    open: function () { if (config) { open(); } },
    state: function () { return state; }
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", boot);
  } else {
    boot();
  }
})();
