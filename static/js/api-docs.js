// The API documentation page (api/templates/api/docs.html): Swagger UI on the schema, from our own origin.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-schema-url"),
    domNode: root,
    deepLinking: true,
    persistAuthorization: false,
  });
})();
