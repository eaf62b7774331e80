/* The note for the record's page only (templates/calculator/note.html); progressive enhancement:
   without it the read-only text box is selected and copied as any text is. A Copy button appears
   and copies the note to the clipboard, saying whether it could. */
(function () {
  "use strict";

  function setup() {
    var box = document.getElementById("note-text");
    var button = document.querySelector("[data-copy]");
    var status = document.querySelector("[data-copy-status]");
    if (!box || !button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      function done(ok) { if (status) status.textContent = ok ? "Copied." : "Select the text and copy it."; }
      box.focus();
      box.select();
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(box.value).then(function () { done(true); }, function () {
          done(document.execCommand && document.execCommand("copy"));
        });
      } else {
        done(document.execCommand && document.execCommand("copy"));
      }
    });
  }

  try {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
    else setup();
  } catch (error) { /* the text box can still be selected and copied */ }
})();
