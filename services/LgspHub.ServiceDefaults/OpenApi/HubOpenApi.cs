using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LgspHub.ServiceDefaults.OpenApi;

/// <summary>What every OpenAPI document of the hub shares: the agencies' own and the gateway's combined one.</summary>
public static class HubOpenApi
{
    /// <summary>The security scheme's name in every document.</summary>
    public const string SecurityScheme = "lgsp";

    /// <summary>The consumers' document, served through the gateway.</summary>
    public const string ConsumerDocument = "v1";

    /// <summary>
    /// Web defaults read numbers from JSON strings too (JsonNumberHandling.AllowReadingFromString), so the generator types
    /// every integer "integer or string with a digits pattern", which client generators turn into a union. The API keeps
    /// reading both; the document states the integer that every answer carries and every client should send.
    /// </summary>
    public static Task IntegersAsIntegers(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Type is { } type && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        return Task.CompletedTask;
    }
}
