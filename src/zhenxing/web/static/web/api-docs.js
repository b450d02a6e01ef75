// Swagger UI for /api/v1/docs, from the local swagger-ui-dist package (no CDN, no online validator).
// "Try it out" in a signed-in browser uses the session: unsafe requests carry the CSRF cookie back
// in X-CSRFToken, as the pages do.
(function () {
  "use strict";
  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    layout: "BaseLayout",
    requestInterceptor: function (request) {
      if (!/^(GET|HEAD|OPTIONS)$/i.test(request.method || "GET")) {
        request.headers["X-CSRFToken"] = cookie("csrftoken");
      }
      return request;
    },
  });
})();
