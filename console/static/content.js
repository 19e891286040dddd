// Live preview of an answer or FAQ entry being edited (console/templates/content/edit.html): the form is sent
// to /content/preview, which composes and splits the message with the bot's own code, and returns the cards.
(function () {
  "use strict";
  var form = document.getElementById("edit-form");
  var target = document.getElementById("preview");
  if (!form || !target) { return; }
  var timer = null;
  var sent = 0;

  function refresh() {
    var number = ++sent;
    var data = new FormData(form);
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": data.get("csrf_token") }
    }).then(function (response) { return response.json(); })
      .then(function (result) {
        if (number !== sent) { return; }  // an older answer arriving late
        if (result.html) { target.innerHTML = result.html; }
      })
      .catch(function () { /* keep the last preview */ });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();
