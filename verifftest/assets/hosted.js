// Optional: the hosted flow works without it. It shows previews of the
// chosen photos and, when the page is framed (Veriff's InContext SDK), it
// speaks Veriff's protocol to the parent page: VERIFF_HANDSHAKE on load,
// then the messages the server put in data-veriff-post (VERIFF_STARTED when
// the flow opens, VERIFF_SUBMITTED and VERIFF_FINISHED once submitted,
// VERIFF_CANCELED after the cancel control). The messages are the bare
// strings Veriff's flow posts; they carry nothing about the person. A frame
// the parent did not close after VERIFF_FINISHED goes on to the session's
// callback (data-veriff-next).
(function () {
  "use strict";
  var framed = false;
  try { framed = window.parent !== window; } catch (e) { framed = true; }

  function post(msg) { window.parent.postMessage(msg, "*"); }

  if (framed) {
    Array.prototype.forEach.call(document.querySelectorAll('input[name="framed"]'), function (f) {
      f.value = "1";
    });
    post("VERIFF_HANDSHAKE");
    var todo = (document.body.getAttribute("data-veriff-post") || "").split(" ");
    todo.forEach(function (m) { if (m) { post(m); } });
    var next = document.body.getAttribute("data-veriff-next");
    if (next && /^https?:\/\//.test(next)) {
      window.setTimeout(function () { window.location.href = next; }, 1500);
    }
  }

  var inputs = document.querySelectorAll('.upload input[type="file"]');
  Array.prototype.forEach.call(inputs, function (input) {
    var img = document.getElementById(input.id + "-preview");
    if (!img || !window.URL || !URL.createObjectURL) { return; }
    input.addEventListener("change", function () {
      if (img.src) { URL.revokeObjectURL(img.src); }
      var f = input.files && input.files[0];
      if (f && f.type.indexOf("image/") === 0) {
        img.src = URL.createObjectURL(f);
        img.hidden = false;
      } else {
        img.removeAttribute("src");
        img.hidden = true;
      }
    });
  });
})();
