using System.Text.Json;
using System.Text.Json.Nodes;
using LgspHub.Faults;
using LgspHub.ServiceDefaults;
using LgspHub.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
// Microsoft.OpenApi has one of the name too.
using OpenApiExample = LgspHub.ServiceDefaults.OpenApi.OpenApiExample;

namespace LgspHub.AgencyDefaults;

/// <summary>
/// An agency's OpenAPI document as a consumer needs it: its server is the gateway (Gateway:Url), never the agency's
/// own port, and every operation asks for the hub's OAuth 2.0 client-credentials token from the gateway's token
/// endpoint, so a generated client or the API reference page calls through the hub with a token. Each operation has
/// the hub's name as its operationId, the headers the gateway asks for, every answer it can get (the agency's and
/// the gateway's, <see cref="GatewayResponses"/>) and examples. The operators' /admin endpoints, which the gateway
/// does not route, have a document of their own.
/// </summary>
public static class AgencyOpenApi
{
    /// <summary>The operators' key on an agency's own port (ServiceDefaults' AgencyAccess).</summary>
    public const string OperatorSecurityScheme = "lgsp-operator";

    /// <summary>The operators' document: the agency's own /admin endpoints, on its own port, with the operators' key.</summary>
    public const string OperatorDocument = "admin";

    public static IHostApplicationBuilder AddAgencyOpenApi(this IHostApplicationBuilder builder)
    {
        var gateway = new Uri(builder.Configuration["Gateway:Url"] ?? GatewayClients.DefaultGatewayUrl);
        var agency = builder.Environment.ApplicationName;
        builder.Services.AddOpenApi(OperatorDocument, options =>
        {
            options.ShouldInclude = IsOperators;
            options.AddSchemaTransformer(HubOpenApi.IntegersAsIntegers);
            options.AddDocumentTransformer((document, _, _) =>
            {
                Describe(document, $"{agency}'s operator endpoints, on the agency's own port (the gateway does not route them): its error queues and their "
                    + $"replay, and the faults injected into it. Every call needs the operators' key: Authorization: {AgencyCredentials.OperatorScheme} <key>.");
                // The generator names the address the document was read from, with a trailing slash.
                foreach (var server in document.Servers ?? [])
                    server.Url = server.Url?.TrimEnd('/');
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[OperatorSecurityScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = "Authorization",
                    Description = $"The operators' key: the whole header is \"{AgencyCredentials.OperatorScheme} <key>\" (Lgsp:Access:OperatorKey).",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OperatorSecurityScheme, document)] = [] }];
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(async (operation, context, cancellationToken) =>
            {
                await GatewayResponses.AddSchemasAsync(context, cancellationToken);
                operation.OperationId ??= context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().LastOrDefault()?.EndpointName;
                ApplyExamples(operation, context);
                operation.Responses ??= [];
                operation.Responses["401"] = new OpenApiResponse
                {
                    Description = "The operators' key is missing or wrong.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        [GatewayResponses.ProblemJson] = new()
                        {
                            Schema = new OpenApiSchemaReference(GatewayResponses.ProblemSchema, context.Document),
                            Example = GatewayResponses.Example(401, "Unauthorized", null),
                        },
                    },
                };
                DescribeResponses(operation);
            });
        });
        builder.Services.AddOpenApi(HubOpenApi.ConsumerDocument, options =>
        {
            options.ShouldInclude = description => !IsOperators(description);
            options.AddSchemaTransformer(HubOpenApi.IntegersAsIntegers);
            options.AddDocumentTransformer((document, _, _) =>
            {
                Describe(document, $"{agency}'s operations for consumer systems, called through the LGSP gateway with a client-credentials token "
                    + $"from its token endpoint. Operations on personal data also need {HubHeaders.Purpose} (the public-service code the call serves) "
                    + $"and {HubHeaders.Officer} (the officer acting); the gateway audits every person they touch.");
                document.Servers = [new OpenApiServer { Url = gateway.ToString().TrimEnd('/'), Description = "The LGSP gateway: every call goes through it." }];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[HubOpenApi.SecurityScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.OAuth2,
                    Description = "A registered consumer's token: client credentials at the gateway's token endpoint.",
                    Flows = new OpenApiOAuthFlows
                    {
                        ClientCredentials = new OpenApiOAuthFlow { TokenUrl = new Uri(gateway, GatewayClients.TokenPath), Scopes = new Dictionary<string, string>() },
                    },
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(HubOpenApi.SecurityScheme, document)] = [] }];
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(async (operation, context, cancellationToken) =>
            {
                var endpoint = context.Description;
                var hub = endpoint.ActionDescriptor.EndpointMetadata.OfType<HubOperation>().LastOrDefault()
                    ?? throw new InvalidOperationException($"{endpoint.HttpMethod} /{endpoint.RelativePath} declares no hub operation: add WithHubOperation(name, personalData).");
                await GatewayResponses.AddSchemasAsync(context, cancellationToken);
                operation.OperationId = hub.Name;
                DescribeHeaders(operation, hub);
                ApplyExamples(operation, context);
                DescribeResponses(operation);
                GatewayResponses.AddTo(operation, context.Document!, hub.PersonalData, proxied: true);
            });
        });
        return builder;
    }

    private static bool IsOperators(ApiDescription description) =>
        description.RelativePath?.StartsWith("admin", StringComparison.OrdinalIgnoreCase) == true;

    private static void Describe(OpenApiDocument document, string description)
    {
        document.Info ??= new OpenApiInfo();
        document.Info.Description = description;
        document.Info.Contact = new OpenApiContact { Name = "The LGSP hub's operators" };
    }

    /// <summary>The gateway sets X-Lgsp-Consumer itself (a consumer's is dropped); purpose and officer are the gateway's rule for personal data.</summary>
    private static void DescribeHeaders(OpenApiOperation operation, HubOperation hub)
    {
        var parameters = operation.Parameters?.Where(p => p.In != ParameterLocation.Header || p.Name is not (HubHeaders.Consumer or HubHeaders.Purpose or HubHeaders.Officer or HubHeaders.Fault)).ToList() ?? [];
        if (hub.PersonalData)
        {
            parameters.Add(CodeHeader(HubHeaders.Purpose, "The purpose of the call: the public-service code it serves (the personal-data law asks that every processing has one). The gateway audits it.", "dev.playground"));
            parameters.Add(CodeHeader(HubHeaders.Officer, "The code of the officer acting for the consumer; the gateway audits it.", "officer-001"));
        }
        parameters.Add(new OpenApiParameter
        {
            Name = HubHeaders.Fault,
            In = ParameterLocation.Header,
            Description = "Optional, for tests: faults this one request asks for, comma-separated: error (the agency answers 503), timeout (it hangs "
                + "until the gateway gives up, 504), delay=<n>ms or delay=<n>s (it waits first, up to 60 s). Honoured only by a hub that allows it "
                + $"({FaultInjection.AllowRequestHeaderKey}, as the development hub does) and passed on only for consumers with the fault-injection right; "
                + "from others it is dropped.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            Example = JsonValue.Create("delay=250ms, error"),
        });
        foreach (var parameter in parameters.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Header && p.Name == HubHeaders.IdempotencyKey))
        {
            parameter.Description = "Optional: a retry with the same key (1 to 100 printable characters) and the same declaration gets the dossier the first "
                + "submission made instead of a second one; the same key with another declaration is a 422. Keys are the consumer's own.";
            parameter.Example = JsonValue.Create("8d6f0b1e-2c4a-4a53-9b7e-2f1d3c4b5a69");
        }
        operation.Parameters = parameters;
    }

    private static OpenApiParameter CodeHeader(string name, string description, string example) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = true,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = HubHeaders.CodePattern },
        Example = JsonValue.Create(example),
    };

    /// <summary>The endpoint's examples, serialized with the API's own JSON options, so they read as its answers do.</summary>
    private static void ApplyExamples(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var json = context.ApplicationServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        foreach (var example in context.Description.ActionDescriptor.EndpointMetadata.OfType<OpenApiExample>())
        {
            var node = JsonSerializer.SerializeToNode(example.Value, example.Value.GetType(), json);
            var content = example.Status is { } status
                ? (operation.Responses?.TryGetValue(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) == true ? response.Content : null)
                : operation.RequestBody?.Content;
            if (content is null || content.Count == 0)
                throw new InvalidOperationException($"{context.Description.HttpMethod} /{context.Description.RelativePath}: an example for {(example.Status is { } answer ? $"the {answer} answer" : "the request body")}, which the operation does not have.");
            foreach (var media in content.Values)
                media.Example = node?.DeepClone();
        }
    }

    /// <summary>What the agency's own problems mean; the operation's description says when each comes.</summary>
    private static string? Meaning(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "The request is invalid: errors names each field (or header) at fault, with why.",
        StatusCodes.Status404NotFound => "The agency's register holds no such record.",
        StatusCodes.Status409Conflict => "The record's state does not allow it now: detail says why.",
        StatusCodes.Status422UnprocessableEntity => "Well-formed, but refused: detail says why.",
        StatusCodes.Status503ServiceUnavailable => "The agency cannot serve it now (a service it depends on does not answer): nothing was changed; try again later.",
        _ => null,
    };

    /// <summary>Where a created or accepted answer points, and what every problem means, with an example of its shape.</summary>
    private static void DescribeResponses(OpenApiOperation operation)
    {
        foreach (var (key, value) in operation.Responses ?? [])
        {
            if (value is not OpenApiResponse response || !int.TryParse(key, out var status))
                continue;
            if (status is StatusCodes.Status201Created or StatusCodes.Status202Accepted)
            {
                response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                response.Headers["Location"] = GatewayResponses.Header(
                    status == StatusCodes.Status201Created ? "Where the resource created or changed is read." : "Where the accepted work's state is followed.",
                    JsonSchemaType.String, required: true);
            }
            if (status < 400)
                continue;
            if (Meaning(status) is { } meaning && (string.IsNullOrWhiteSpace(response.Description) || GatewayResponses.IsDefault(response.Description, status)))
                response.Description = meaning;
            if (response.Content?.TryGetValue(GatewayResponses.ProblemJson, out var media) == true)
            {
                media.Example ??= status == StatusCodes.Status400BadRequest
                    ? new JsonObject
                    {
                        ["title"] = "One or more validation errors occurred.",
                        ["status"] = status,
                        ["errors"] = new JsonObject { ["personalId"] = new JsonArray($"A personal ID has exactly {LgspHub.Contracts.PersonalId.Length} digits.") },
                    }
                    : GatewayResponses.Example(status, ApiProblems.Title(status), null);
            }
        }
    }
}
