using LgspHub.Gateway.Requests;
using LgspHub.ServiceDefaults.OpenApi;
using Scalar.AspNetCore;
using Yarp.ReverseProxy.Configuration;

namespace LgspHub.Gateway.Access;

/// <summary>
/// The API reference page (Scalar) at /docs: the combined OpenAPI document of everything a consumer calls (the default),
/// every agency's OpenAPI document and the events' AsyncAPI document, as the gateway routes them, with "try it" calls
/// through the gateway using a client-credentials token from its token endpoint (the documents' security scheme).
/// Scalar serves its own script from the gateway.
/// </summary>
public static class ApiReference
{
    public const string Path = "/docs";

    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder app)
    {
        var agencies = CombinedOpenApi.Agencies(app.ServiceProvider.GetServices<IProxyConfigProvider>());
        app.MapScalarApiReference(Path, options =>
            {
                options.WithTitle("LgspHub API reference")
                    .WithOpenApiRoutePattern("/api/{documentName}/openapi/v1.json")
                    .AddDocument("lgsp", "Everything a consumer calls", CombinedOpenApi.Path, isDefault: true)
                    .AddDocuments(agencies)
                    .AddAsyncApiDocument("events", "Integration events (AsyncAPI)", Catalog.AsyncApiPath)
                    .AddPreferredSecuritySchemes([HubOpenApi.SecurityScheme])
                    // Nothing of the page calls out: the hub runs without the internet.
                    .DisableTelemetry()
                    .DisableAgent();
            })
            .AllowAnonymous()
            .WithMetadata(Operation.Hub("read-api-reference"));
        return app;
    }
}
