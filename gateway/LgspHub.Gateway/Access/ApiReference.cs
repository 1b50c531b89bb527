using LgspHub.ServiceDefaults;
using Scalar.AspNetCore;
using Yarp.ReverseProxy.Configuration;

namespace LgspHub.Gateway.Access;

/// <summary>
/// The API reference page (Scalar) at /docs: every agency's OpenAPI document and the events' AsyncAPI document, as the
/// gateway routes them, with "try it" calls through the gateway using a client-credentials token from its token
/// endpoint (the documents' security scheme). Scalar serves its own script from the gateway.
/// </summary>
public static class ApiReference
{
    public const string Path = "/docs";

    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder app)
    {
        // The agencies the gateway routes, as the catalogue lists them.
        var agencies = app.ServiceProvider.GetRequiredService<IProxyConfigProvider>().GetConfig().Routes
            .Select(route => route.Metadata is null ? null : Operation.From(route.Metadata))
            .Where(operation => operation is not null && operation.Service != Operation.HubService)
            .Select(operation => operation!.Service)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        app.MapScalarApiReference(Path, options =>
            {
                options.WithTitle("LgspHub API reference")
                    .WithOpenApiRoutePattern("/api/{documentName}/openapi/v1.json")
                    .AddDocuments(agencies)
                    .AddAsyncApiDocument("events", "Integration events (AsyncAPI)", Catalog.AsyncApiPath)
                    .AddPreferredSecuritySchemes([AgencyOpenApi.SecurityScheme])
                    // Nothing of the page calls out: the hub runs without the internet.
                    .DisableTelemetry()
                    .DisableAgent();
            })
            .AllowAnonymous()
            .WithMetadata(Operation.Hub("read-api-reference"));
        return app;
    }
}
