/*
 * backchannel web workspace: what every page needs from script.
 *
 * The session's CSRF token comes in <meta name="csrf-token">; every request htmx makes
 * carries it in the X-CSRF-Token header, through hx-headers on the body (read from the
 * meta tag here, so that no page needs inline script). Plain forms carry it in a hidden
 * csrf_token field and work without script.
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : null;
  }

  function setCsrfHeader() {
    var token = csrfToken();
    if (token && document.body) {
      document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRF-Token": token }));
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setCsrfHeader);
  } else {
    setCsrfHeader();
  }
})();
