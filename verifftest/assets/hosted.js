// Optional: previews of the chosen photos. The form works without it.
(function () {
  "use strict";
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
