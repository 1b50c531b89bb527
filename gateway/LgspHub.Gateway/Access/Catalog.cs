using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace LgspHub.Gateway.Access;

public sealed record CatalogOperation(string Name, string Method, string Path, bool PersonalData, string[] Consumers);

public sealed record CatalogService(string Service, string OpenApi, CatalogOperation[] Operations);

/// <summary>The service catalogue: every routed operation, its agency, its OpenAPI document and who may call it.</summary>
public static class Catalog
{
    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder app)
    {
        app.MapGet("/catalog", (IProxyConfigProvider proxy, IOptionsMonitor<LgspOptions> options) =>
            {
                var consumers = options.CurrentValue.Consumers;
                return TypedResults.Ok(proxy.GetConfig().Routes
                    .Select(route => (route, operation: route.Metadata is null ? null : Operation.From(route.Metadata)))
                    // Agencies' services only: the hub's own operations (lgsp.*, such as fault injection) have no OpenAPI document.
                    .Where(r => r.operation is { } operation && operation.Service != Operation.HubService)
                    .GroupBy(r => r.route.ClusterId!)
                    .OrderBy(g => g.Key)
                    .Select(g => new CatalogService(g.Key, $"/api/{g.Key}/openapi/v1.json", g
                        .OrderBy(r => r.operation!.Name)
                        .Select(r => new CatalogOperation(
                            r.operation!.Name,
                            string.Join(',', r.route.Match.Methods ?? ["*"]),
                            r.route.Match.Path ?? "",
                            r.operation.PersonalData,
                            consumers.Where(c => c.Value.Allows(r.operation.Name)).Select(c => c.Key).Order().ToArray()))
                        .ToArray()))
                    .ToArray());
            })
            .RequireAuthorization()
            .WithMetadata(Operation.Hub("read-catalogue"))
            .WithSummary("Every service and operation the hub routes, its OpenAPI document, and which consumers may call it");
        return app;
    }
}
