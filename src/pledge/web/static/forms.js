/* Pledge site forms: renders a form the policy declares into a page and posts it.
 * First party, no dependency, no CDN. Usage, on the company's page:
 *   <div data-pledge-form="contact"></div>
 *   <script src="https://PLEDGE-HOST/static/forms.js" defer></script>
 * The form's fields, labels (in the browser's language), notice and spam token come
 * from GET /api/v1/forms/{id}; the answers go to POST /api/v1/forms/{id} as
 * multipart, and each refused field gets its message beside it.
 * Consent boxes always start unticked here: the page cannot know the visitor's law.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = new URL(script ? script.src : "/", window.location.href).origin;
  var kinds = { email: "email", phone: "tel", date: "date", file: "file", checkbox: "checkbox" };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function input(spec, prefix) {
    var id = prefix + spec.name;
    var node;
    if (spec.type === "textarea") {
      node = el("textarea", { id: id, name: spec.name, rows: "5" });
    } else if (spec.choices) {
      node = el("select", { id: id, name: spec.name });
      node.appendChild(el("option", { value: "" }, "…"));
      spec.choices.forEach(function (choice) {
        node.appendChild(el("option", { value: choice.value }, choice.label));
      });
    } else if (spec.type === "country") {
      node = el("input", { id: id, name: spec.name, type: "text", maxlength: "2",
                           autocomplete: "country", pattern: "[A-Za-z]{2}" });
    } else {
      node = el("input", { id: id, name: spec.name, type: kinds[spec.type] || "text" });
    }
    if (spec.required) { node.setAttribute("required", ""); }
    if (spec.max_length) { node.setAttribute("maxlength", String(spec.max_length)); }
    if (spec.accept) { node.setAttribute("accept", spec.accept.join(",")); }
    return node;
  }

  function row(form, labelText, node, checkbox) {
    var wrap = el("p", { "data-field": node.name });
    var label = el("label", { for: node.id }, labelText);
    if (checkbox) { wrap.appendChild(node); wrap.appendChild(document.createTextNode(" ")); wrap.appendChild(label); }
    else { wrap.appendChild(label); wrap.appendChild(el("br")); wrap.appendChild(node); }
    form.appendChild(wrap);
  }

  function showErrors(form, fields) {
    form.querySelectorAll(".pledge-error").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) {
      node.removeAttribute("aria-invalid"); node.removeAttribute("aria-describedby");
    });
    Object.keys(fields).forEach(function (name) {
      var field = form.querySelector('[name="' + name + '"]');
      var message = el("span", { class: "pledge-error", role: "alert" }, fields[name]);
      if (field && field.type !== "hidden") {
        message.id = field.id + "-error";
        field.setAttribute("aria-invalid", "true");
        field.setAttribute("aria-describedby", message.id);
        field.parentNode.appendChild(message);
      } else {
        form.insertBefore(message, form.firstChild);
      }
    });
  }

  function render(container, spec) {
    var prefix = "pledge-" + spec.id + "-";
    var form = el("form", { novalidate: "" });
    container.appendChild(el("h2", {}, spec.title));
    container.appendChild(el("p", {}, spec.notice));
    var trap = el("div", { "aria-hidden": "true",
                           style: "position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden;visibility:hidden" });
    trap.appendChild(el("input", { name: spec.honeypot, type: "text", tabindex: "-1", autocomplete: "off" }));
    form.appendChild(trap);
    form.appendChild(el("input", { type: "hidden", name: spec.token_field, value: spec.token }));
    spec.fields.forEach(function (field) { row(form, field.label, input(field, prefix), field.type === "checkbox"); });
    if (spec.ask_age) {
      row(form, spec.words.year_of_birth, el("input", { id: prefix + spec.age_field, name: spec.age_field,
        type: "text", inputmode: "numeric", maxlength: "4", required: "", autocomplete: "bday-year" }));
    }
    spec.consents.forEach(function (question) {
      row(form, question.text, el("input", { id: prefix + question.name, name: question.name,
        type: "checkbox", value: "on" }), true);
    });
    var child = el("p");
    var link = el("a", { href: origin + spec.child_report }, spec.words.child_report);
    child.appendChild(link);
    form.appendChild(child);
    form.appendChild(el("button", { type: "submit" }, spec.words.send));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(origin + "/api/v1/forms/" + encodeURIComponent(spec.id), { method: "POST", body: new FormData(form) })
        .then(function (response) { return response.json().then(function (body) { return [response.status, body]; }); })
        .then(function (answer) {
          if (answer[0] === 201) {
            var thanks = spec.words.thanks + ".";
            if (answer[1].status === "confirm_by_mail") {
              thanks += " " + spec.words.confirm_by_mail;
            }
            container.replaceChildren(el("p", { role: "status" }, thanks));
          } else {
            var error = answer[1].error || {};
            showErrors(form, error.fields || { form: error.message || spec.words.try_again });
          }
        });
    });
    container.appendChild(form);
  }

  document.querySelectorAll("[data-pledge-form]").forEach(function (container) {
    var id = container.getAttribute("data-pledge-form");
    fetch(origin + "/api/v1/forms/" + encodeURIComponent(id))
      .then(function (response) { return response.json(); })
      .then(function (spec) { render(container, spec); });
  });
})();
