/* The sample promotion page: show the copyable tag with this server's real address instead of HOST. */
(function () {
  "use strict";
  var snippet = document.getElementById("zst-snippet");
  if (snippet) snippet.textContent = snippet.textContent.replace("https://HOST", location.origin);
})();
