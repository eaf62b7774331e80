/* Progressive enhancement only; without JavaScript every feature works through the POST form.

   1. On the scenario form, a quick summary updates as the inputs change: the scenario is sent as JSON
      to POST /api/v1/assess (never in a URL) and a concise summary is drawn from the JSON answer into
      an aria-live region. The full table with sources stays the "Show the evidence" submit.
   2. On the printable summary, a Print button appears. */
(function () {
  "use strict";

  var MINUS = "\u2212";
  var EN_DASH = "\u2013";
  var DELAY = 400;
  var NUMBER = /^\s*[+-]?[0-9]{1,9}\s*$/;
  var DESIGNS = {
    randomized_trial: "randomized trial",
    prospective_registry: "prospective observational registry",
    retrospective_cohort: "retrospective observational cohort"
  };
  var STATUS = {
    applies: "Applies",
    partial: "Partial match",
    outside: "Outside the study population",
    unchecked: "Cannot be checked: no criteria reported"
  };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function isNumber(value) {
    return typeof value === "number" && isFinite(value);
  }

  function fixed(fraction) {
    return (100 * fraction).toFixed(1);
  }

  function signed(fraction) {
    var text = Math.abs(100 * fraction).toFixed(1);
    if (Number(text) === 0) return text;
    return (fraction > 0 ? "+" : MINUS) + text;
  }

  function riskText(arm) {
    if (!arm || !isNumber(arm.rate) || !arm.ci || !isNumber(arm.ci[0]) || !isNumber(arm.ci[1])) {
      return "not given";
    }
    return fixed(arm.rate) + "% (" + fixed(arm.ci[0]) + EN_DASH + fixed(arm.ci[1]) + ") \u00b7 " +
      arm.events + "/" + arm.total;
  }

  function differenceText(rd) {
    if (!rd || !isNumber(rd.value) || !rd.ci || !isNumber(rd.ci[0]) || !isNumber(rd.ci[1])) {
      return "not estimable";
    }
    return signed(rd.value) + " pp (" + signed(rd.ci[0]) + " to " + signed(rd.ci[1]) + ")";
  }

  function counted(outcome) {
    return outcome && outcome.kind === "binary" && outcome.intervention && outcome.comparator;
  }

  // The same key outcomes as the counselling view (app/counsel.py): primary or safety outcomes with
  // counts, topped up to 2 with other counted, non-subgroup outcomes in the study's order.
  function keyOutcomes(outcomes) {
    var role = function (o) { return String(o.role || ""); };
    var chosen = outcomes.filter(function (o) {
      return counted(o) && (role(o).indexOf("primary") >= 0 || role(o).indexOf("safety") >= 0);
    });
    outcomes.forEach(function (o) {
      if (chosen.length < 2 && counted(o) && role(o) !== "subgroup" && chosen.indexOf(o) < 0) {
        chosen.push(o);
      }
    });
    return outcomes.filter(function (o) { return chosen.indexOf(o) >= 0; });
  }

  function status(comparison) {
    var fit = comparison.applicability || {};
    var reasons = Array.isArray(fit.reasons) ? fit.reasons : [];
    var met = reasons.some(function (r) { return r && r.status === "met"; });
    return fit.status === "applies" && !met ? "unchecked" : fit.status;
  }

  function labelOf(form, name) {
    var field = form.elements[name];
    var first = field && field.length !== undefined && !field.tagName ? field[0] : field;
    if (!first) return name;
    var fieldset = first.closest("fieldset");
    var label = fieldset ? fieldset.querySelector("legend") : form.querySelector('label[for="' + first.id + '"]');
    return label ? label.textContent.trim() : name;
  }

  // The scenario contract from the form, leaving out fields the setting does not use (as the server does).
  function readScenario(form) {
    var data = new FormData(form);
    var setting = data.get("setting");
    var options = data.getAll("options");
    var lvo = setting === "lvo_icas";
    var used = {
      stenosis_percent: true,
      age: true,
      days_since_event: !lvo,
      symptomatic: !lvo,
      prestent_angioplasty: lvo && options.indexOf("self_expanding_stent") >= 0
    };
    var body = {};
    var missing = [];
    var unreadable = [];
    if (setting) body.setting = setting; else missing.push(labelOf(form, "setting"));
    if (options.length) body.options = options; else missing.push(labelOf(form, "options"));
    ["stenosis_percent", "days_since_event", "age"].forEach(function (name) {
      var text = String(data.get(name) || "").trim();
      if (!used[name] || !text) return;
      if (NUMBER.test(text)) body[name] = parseInt(text, 10); else unreadable.push(labelOf(form, name));
    });
    ["symptomatic", "prestent_angioplasty"].forEach(function (name) {
      var value = data.get(name);
      if (used[name] && (value === "yes" || value === "no")) body[name] = value === "yes";
    });
    if (data.get("artery")) body.artery = data.get("artery");
    if (setting === "symptomatic_icas" && body.stenosis_percent === undefined &&
        unreadable.indexOf(labelOf(form, "stenosis_percent")) < 0) {
      missing.push(labelOf(form, "stenosis_percent"));
    }
    return { body: body, missing: missing, unreadable: unreadable };
  }

  function heading(region) {
    region.appendChild(el("h2", "", "Quick summary"));
    region.appendChild(el("p", "hint",
      "Updated as the form changes. Press \u201cShow the evidence\u201d for the full table with sources."));
  }

  function showMessage(region, lines) {
    region.textContent = "";
    heading(region);
    var list = el("ul", "live-messages");
    lines.forEach(function (line) { list.appendChild(el("li", "", line)); });
    region.appendChild(list);
  }

  function outcomeItem(outcome, comparison) {
    var item = el("li", "live-outcome");
    item.appendChild(el("strong", "", String(outcome.label || outcome.id)));
    item.appendChild(document.createTextNode(" (" + String(outcome.timeframe || "time frame not stated") + ")"));
    var figures = el("ul");
    var comparator = comparison.comparator || {};
    var intervention = comparison.intervention || {};
    figures.appendChild(el("li", "live-risk-comparator", String(comparator.label) + ": " + riskText(outcome.comparator)));
    figures.appendChild(el("li", "live-risk-intervention", String(intervention.label) + ": " + riskText(outcome.intervention)));
    figures.appendChild(el("li", "live-difference",
      "Absolute difference (intervention " + MINUS + " comparator): " + differenceText(outcome.risk_difference)));
    item.appendChild(figures);
    return item;
  }

  function renderAssessment(region, answer) {
    region.textContent = "";
    heading(region);
    if (!answer.comparisons.length) {
      var warning = (answer.warnings || []).filter(function (w) { return w && w.text; })[0];
      region.appendChild(el("p", "", warning ? warning.text : "No study in this evidence base matches these options."));
      return;
    }
    answer.comparisons.forEach(function (comparison) {
      var study = comparison.study || {};
      var section = el("section", "live-comparison");
      var code = status(comparison);
      section.appendChild(el("h3", "", String(study.name) + " (" + (DESIGNS[study.design] || "study") + "): " +
        String((comparison.intervention || {}).label) + " vs " + String((comparison.comparator || {}).label)));
      section.appendChild(el("p", "status status-" + (STATUS[code] ? code : "partial"), STATUS[code] || "Not known"));
      var outcomes = keyOutcomes(Array.isArray(comparison.outcomes) ? comparison.outcomes : []);
      if (outcomes.length) {
        var list = el("ul", "live-outcomes");
        outcomes.forEach(function (o) { list.appendChild(outcomeItem(o, comparison)); });
        section.appendChild(list);
      } else {
        section.appendChild(el("p", "", "This study gives no counts per group for its main outcomes."));
      }
      region.appendChild(section);
    });
  }

  function fieldMessages(form, fields) {
    var lines = [];
    Object.keys(fields).forEach(function (name) {
      var messages = Array.isArray(fields[name]) ? fields[name] : [];
      var label = form.elements[name] ? labelOf(form, name) : name;
      messages.forEach(function (m) { lines.push(label + ": " + String(m)); });
    });
    return lines.length ? lines : ["Complete the form to see a quick summary."];
  }

  function markStale() {
    var results = document.getElementById("results");
    if (!results || results.querySelector(".stale-note")) return;
    var note = el("p", "stale-note",
      "The form has changed since these results were shown. Press \u201cShow the evidence\u201d to update them.");
    var title = results.querySelector("h2");
    results.insertBefore(note, title ? title.nextSibling : results.firstChild);
  }

  function setupLiveSummary() {
    var form = document.getElementById("scenario-form");
    var region = document.getElementById("live-summary");
    if (!form || !region || !window.fetch || !window.FormData) return;
    var timer = null;
    var latest = 0;

    function update() {
      var request = ++latest;
      var scenario = readScenario(form);
      markStale();
      if (scenario.missing.length || scenario.unreadable.length) {
        var lines = [];
        if (scenario.missing.length) lines.push("To see a quick summary, complete: " + scenario.missing.join("; ") + ".");
        scenario.unreadable.forEach(function (label) { lines.push(label + ": enter a whole number."); });
        showMessage(region, lines);
        return;
      }
      fetch("/api/v1/assess", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(scenario.body),
        credentials: "same-origin",
        cache: "no-store"
      }).then(function (response) {
        return response.json().then(function (answer) {
          return { status: response.status, answer: answer };
        }, function () {
          return { status: response.status, answer: null };
        });
      }).then(function (reply) {
        if (request !== latest) return;  // a newer change has been sent since
        var answer = reply.answer;
        if (reply.status === 200 && answer && Array.isArray(answer.comparisons)) {
          renderAssessment(region, answer);
        } else if (reply.status === 422 && answer && answer.fields && typeof answer.fields === "object") {
          showMessage(region, fieldMessages(form, answer.fields));
        } else {
          showMessage(region, ["The quick summary is not available. Press \u201cShow the evidence\u201d."]);
        }
      }).catch(function () {
        if (request === latest) {
          showMessage(region, ["The quick summary is not available. Press \u201cShow the evidence\u201d."]);
        }
      });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        try { update(); } catch (error) { /* never break the form */ }
      }, DELAY);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
  }

  function setupPrint() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function start() {
    try { setupLiveSummary(); } catch (error) { /* the form still works */ }
    try { setupPrint(); } catch (error) { /* the browser's Print command still works */ }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
