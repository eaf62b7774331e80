/* Progressive enhancement only; without JavaScript every feature works through the POST form.

   1. On the scenario form, a quick summary updates as the inputs change: the form is posted, exactly
      as the "Show the evidence" button would post it, to POST /summary (never in a URL), and the HTML
      fragment the server answers is swapped into an aria-live region. Every clinical rule and every
      number's formatting stays on the server (app/web/summary.py); this script knows no field.
   2. On the printable summary, a Print button appears.
   3. A refused submit focuses the error summary (its autofocus does so without script).
   4. Beside the note for the record's read-only box (selected and copied as any text is without
      script), a Copy button appears: it copies the note to the clipboard and says whether it could. */
(function () {
  "use strict";

  var DELAY = 400;
  var UNAVAILABLE = "The quick summary is not available. Press \u201cShow the evidence\u201d.";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showUnavailable(region) {
    region.textContent = "";
    region.appendChild(el("h2", "", "Quick summary"));
    region.appendChild(el("p", "", UNAVAILABLE));
  }

  // DOMParser builds the fragment inert (no script runs, no resource loads) before it is moved in.
  function show(region, html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    region.textContent = "";
    while (parsed.body.firstChild) region.appendChild(document.adoptNode(parsed.body.firstChild));
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
    if (!form || !region || !window.fetch || !window.FormData || !window.URLSearchParams ||
        !window.DOMParser) return;
    var timer = null;
    var latest = 0;

    function update() {
      var request = ++latest;
      markStale();
      fetch(region.getAttribute("data-source") || "/summary", {
        method: "POST",
        headers: { "Accept": "text/html" },
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
        cache: "no-store"
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        return response.text().then(function (text) {
          return { status: type.indexOf("text/html") === 0 ? response.status : 0, text: text };
        });
      }).then(function (reply) {
        if (request !== latest) return;  // a newer change has been sent since
        // 422 is the form's own answer too: it names the fields still missing or wrong.
        if (reply.status === 200 || reply.status === 422) show(region, reply.text);
        else showUnavailable(region);
      }).catch(function () {
        if (request === latest) showUnavailable(region);
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

  function setupCopy() {
    var box = document.getElementById("note-text");
    var button = document.querySelector("[data-copy]");
    var status = document.querySelector("[data-copy-status]");
    if (!box || !button || !status) return;
    function done(ok) { status.textContent = ok ? "Copied." : "Select the text and copy it."; }
    function copySelection() { done(document.execCommand("copy")); }
    button.hidden = false;
    button.addEventListener("click", function () {
      box.focus();
      box.select();
      // The clipboard API needs a secure page (HTTPS); the older copy command does without.
      if (navigator.clipboard) navigator.clipboard.writeText(box.value).then(function () { done(true); }, copySelection);
      else copySelection();
    });
  }

  function focusErrors() {
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  }

  function start() {
    try { focusErrors(); } catch (error) { /* autofocus still applies */ }
    try { setupLiveSummary(); } catch (error) { /* the form still works */ }
    try { setupPrint(); } catch (error) { /* the browser's Print command still works */ }
    try { setupCopy(); } catch (error) { /* the text box can still be selected and copied */ }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
