// Swagger UI on our own schema; every file it loads is served by this site.
(function () {
  "use strict";
  var element = document.getElementById("swagger-ui");
  SwaggerUIBundle({
    url: element.dataset.schema,
    domNode: element,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
  });
})();
