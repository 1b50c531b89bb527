using LgspHub.Gateway.Requests;
using LgspHub.Messaging;
using LgspHub.Messaging.AsyncApi;
using Yarp.ReverseProxy.Configuration;

namespace LgspHub.Gateway.Access;

public sealed record CatalogOperation(string Name, string Method, string Path, bool PersonalData, string[] Consumers);

public sealed record CatalogService(string Service, string OpenApi, CatalogOperation[] Operations);

/// <summary>
/// The service catalogue: every routed operation, its agency, its OpenAPI document and who may call it; and the
/// AsyncAPI document of the events the agencies exchange.
/// </summary>
public static class Catalog
{
    public const string AsyncApiPath = "/asyncapi/v1.json";

    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder app)
    {
        app.MapGet("/catalog", (IEnumerable<IProxyConfigProvider> proxy, IConsumerRegistry registry) =>
            {
                var consumers = registry.Current;
                return TypedResults.Ok(proxy.Routes()
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

        // A contract, like the agencies' OpenAPI documents: open to read, it holds no data.
        var broker = new Uri(app.ServiceProvider.GetRequiredService<IConfiguration>().GetConnectionString("rabbitmq") ?? HubMessaging.DefaultBrokerUrl);
        var asyncApi = AsyncApiDocument.Create($"{broker.Host}:{broker.Port}").ToJsonString();
        app.MapGet(AsyncApiPath, () => TypedResults.Text(asyncApi, "application/json"))
            .AllowAnonymous()
            .WithMetadata(Operation.Hub("read-asyncapi"))
            .WithSummary("The AsyncAPI 3.0 document of the hub's integration events: exchanges, queues, message schemas and examples");
        return app;
    }
}
