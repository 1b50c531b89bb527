using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace LgspHub.ServiceDefaults.OpenApi;

/// <summary>
/// The hub's name of the operation an agency endpoint serves, as the gateway's route for it names it (rights,
/// records and figures use it), and whether it touches personal data, so that the gateway asks for the purpose and
/// the officer. The endpoint's OpenAPI operationId is the name; the end-to-end tests hold both to the gateway's routes.
/// </summary>
public sealed record HubOperation(string Name, bool PersonalData);

/// <summary>An example of an operation's request body (<see cref="Status"/> null) or of its answer with that status.</summary>
public sealed record OpenApiExample(int? Status, object Value);

public static class HubOperationExtensions
{
    public static RouteHandlerBuilder WithHubOperation(this RouteHandlerBuilder endpoint, string name, bool personalData) =>
        endpoint.WithMetadata(new HubOperation(name, personalData));

    /// <summary>An example of the request body, serialized as the API serializes it.</summary>
    public static RouteHandlerBuilder WithRequestExample(this RouteHandlerBuilder endpoint, object example) =>
        endpoint.WithMetadata(new OpenApiExample(null, example));

    /// <summary>An example answer: the endpoint's own record, so the example cannot drift from its schema.</summary>
    public static RouteHandlerBuilder WithResponseExample(this RouteHandlerBuilder endpoint, object example, int status = StatusCodes.Status200OK) =>
        endpoint.WithMetadata(new OpenApiExample(status, example));
}
