using System.Text.Json.Nodes;
using LgspHub.Gateway.Requests;
using LgspHub.ServiceDefaults;
using LgspHub.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;

namespace LgspHub.Gateway.Access;

/// <summary>
/// One OpenAPI document of everything a consumer can call, at the gateway: the token endpoint, the hub's own
/// consumer operations, and every agency's consumer document (read from the agency as the gateway routes it), their
/// paths being the gateway's. Made at each request, so it is the agencies' documents of the moment. Merged by hand
/// (a few lines of JSON): no library served here combines OpenAPI documents.
/// </summary>
public static class CombinedOpenApi
{
    public const string Path = "/openapi/v1.json";

    /// <summary>The gateway's own consumer operations, as Microsoft.AspNetCore.OpenApi describes them.</summary>
    private const string HubDocument = "hub";

    /// <summary>The hub's operations a consumer calls (the others are the operators'), with what the document says of them.</summary>
    private static readonly Dictionary<string, string> ConsumerOperations = new(StringComparer.Ordinal)
    {
        ["lgsp.read-catalogue"] = "Every service and operation the gateway routes, with its agency's OpenAPI document, whether it touches personal data, "
            + "and which registered consumers may call it. Any consumer with a token may read it.",
    };

    public static IHostApplicationBuilder AddCombinedOpenApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpClient(nameof(CombinedOpenApi), http => http.Timeout = TimeSpan.FromSeconds(10));
        builder.Services.AddOpenApi(HubDocument, options =>
        {
            options.ShouldInclude = description => HubOperationOf(description.ActionDescriptor.EndpointMetadata) is not null;
            options.AddSchemaTransformer(HubOpenApi.IntegersAsIntegers);
            options.AddOperationTransformer(async (operation, context, cancellationToken) =>
            {
                var name = HubOperationOf(context.Description.ActionDescriptor.EndpointMetadata)!.Name;
                await GatewayResponses.AddSchemasAsync(context, cancellationToken);
                operation.OperationId = name;
                operation.Description = ConsumerOperations[name];
                GatewayResponses.AddTo(operation, context.Document!, personalData: false, proxied: false, rights: false);
            });
        });
        return builder;
    }

    private static Operation? HubOperationOf(IEnumerable<object> metadata) =>
        metadata.OfType<Operation>().LastOrDefault() is { } operation && ConsumerOperations.ContainsKey(operation.Name) ? operation : null;

    public static IEndpointRouteBuilder MapCombinedOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, async Task<IResult> (IServiceProvider services, IEnumerable<IProxyConfigProvider> proxy, IProxyStateLookup state, IHttpClientFactory clients,
                CancellationToken cancellationToken) =>
            {
                var hub = await services.GetRequiredKeyedService<IOpenApiDocumentProvider>(HubDocument).GetOpenApiDocumentAsync(cancellationToken);
                var sources = new List<(string Name, JsonObject Document)> { (Operation.HubService, await ToJsonAsync(hub)) };
                foreach (var agency in Agencies(proxy))
                {
                    var document = await AgencyDocumentAsync(agency, state, clients.CreateClient(nameof(CombinedOpenApi)), cancellationToken);
                    if (document is null)
                    {
                        return TypedResults.Problem($"The {agency} agency's document cannot be read now, so the combined document is not made. Try again shortly.",
                            statusCode: StatusCodes.Status503ServiceUnavailable, title: "Document unavailable");
                    }
                    sources.Add((agency, document));
                }
                return TypedResults.Text(Combine(sources).ToJsonString(), "application/json");
            })
            .AllowAnonymous()
            .ExcludeFromDescription()
            .WithMetadata(Operation.Hub("read-openapi"))
            .WithSummary("The OpenAPI document of everything a consumer can call through the gateway");
        return app;
    }

    /// <summary>The agencies the gateway routes to, named by their routes' operations, as the catalogue and the API reference list them.</summary>
    public static List<string> Agencies(IEnumerable<IProxyConfigProvider> proxy) => proxy.Routes()
        .Select(route => route.Metadata is null ? null : Operation.From(route.Metadata))
        .Where(operation => operation is not null && operation.Service != Operation.HubService)
        .Select(operation => operation!.Service)
        .Distinct()
        .Order(StringComparer.Ordinal)
        .ToList();

    private static async Task<JsonObject> ToJsonAsync(OpenApiDocument document)
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        document.SerializeAsV31(new OpenApiJsonWriter(writer));
        await writer.FlushAsync();
        return JsonNode.Parse(writer.ToString())!.AsObject();
    }

    /// <summary>The agency's consumer document from one of its instances (healthy ones first); null when none answers.</summary>
    private static async Task<JsonObject?> AgencyDocumentAsync(string agency, IProxyStateLookup state, HttpClient http, CancellationToken cancellationToken)
    {
        if (!state.TryGetCluster(agency, out var cluster))
            return null;
        var destinations = cluster.DestinationsState.AvailableDestinations.Concat(cluster.DestinationsState.AllDestinations).Distinct();
        foreach (var destination in destinations)
        {
            try
            {
                var address = new Uri(destination.Model.Config.Address.TrimEnd('/') + $"/api/{agency}/openapi/{HubOpenApi.ConsumerDocument}.json");
                return JsonNode.Parse(await http.GetStringAsync(address, cancellationToken))?.AsObject();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                // The next instance, if any.
            }
        }
        return null;
    }

    private static JsonObject Combine(List<(string Name, JsonObject Document)> sources)
    {
        var agencies = sources.Where(s => s.Name != Operation.HubService).ToList();
        var first = agencies.FirstOrDefault().Document;
        var paths = new JsonObject();
        var schemas = new JsonObject();
        var tags = new JsonArray(new JsonObject { ["name"] = "Tokens", ["description"] = "OAuth 2.0 client credentials: the token every other call needs." });
        var combined = new JsonObject
        {
            ["openapi"] = "3.1.1",
            ["info"] = new JsonObject
            {
                ["title"] = "LgspHub | everything a consumer calls",
                ["description"] = "Every operation a registered consumer system can call through the LGSP gateway: the token endpoint, the hub's own "
                    + $"operations and every agency's ({string.Join(", ", agencies.Select(a => a.Name))}). Get a token with the client-credentials grant "
                    + $"at {GatewayClients.TokenPath} and send it as a bearer token. Operations on personal data also need {HubHeaders.Purpose} "
                    + $"and {HubHeaders.Officer}.",
                ["contact"] = new JsonObject { ["name"] = "The LGSP hub's operators" },
                ["version"] = "1.0.0",
            },
            ["servers"] = first?["servers"]?.DeepClone(),
            ["security"] = first?["security"]?.DeepClone(),
            ["tags"] = tags,
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas,
                ["securitySchemes"] = first?["components"]?["securitySchemes"]?.DeepClone(),
            },
        };
        paths[GatewayClients.TokenPath] = TokenOperation();
        foreach (var (name, source) in sources)
        {
            var document = source.DeepClone().AsObject();
            if (name == Operation.HubService)
                TagHubOperations(document);
            // A schema name two documents give different schemas keeps the first's; the later one's is prefixed with its service.
            foreach (var (schema, definition) in document["components"]?["schemas"]?.AsObject().ToList() ?? [])
            {
                if (schemas[schema] is { } known && !JsonNode.DeepEquals(known, definition))
                    Rename(document, schema, Pascal(name) + schema);
            }
            foreach (var (schema, definition) in document["components"]?["schemas"]?.AsObject().ToList() ?? [])
                schemas[schema] ??= definition!.DeepClone();
            foreach (var tag in document["tags"]?.AsArray() ?? [])
            {
                if (!tags.Any(known => known?["name"]?.GetValue<string>() == tag?["name"]?.GetValue<string>()))
                    tags.Add(tag!.DeepClone());
            }
            foreach (var (path, item) in document["paths"]?.AsObject().ToList() ?? [])
            {
                if (paths[path] is not JsonObject known)
                    paths[path] = item!.DeepClone();
                else
                    foreach (var (method, operation) in item!.AsObject().ToList())
                        known[method] ??= operation!.DeepClone();
            }
        }
        if (schemas["OAuthError"] is null)
            schemas["OAuthError"] = OAuthErrorSchema();
        if (schemas["TokenResponse"] is null)
            schemas["TokenResponse"] = TokenResponseSchema();
        return combined;
    }

    /// <summary>The generator tags the gateway's endpoints with the application's name; they are the hub's own.</summary>
    private static void TagHubOperations(JsonObject document)
    {
        document["tags"] = new JsonArray(new JsonObject { ["name"] = "Hub", ["description"] = "The hub's own operations for consumers." });
        foreach (var (_, item) in document["paths"]?.AsObject() ?? [])
            foreach (var (_, operation) in item!.AsObject())
                operation!["tags"] = new JsonArray("Hub");
    }

    private static void Rename(JsonObject document, string from, string to)
    {
        var schemas = document["components"]!["schemas"]!.AsObject();
        var definition = schemas[from]!;
        schemas.Remove(from);
        schemas[to] = definition;
        Rewrite(document, $"#/components/schemas/{from}", $"#/components/schemas/{to}");
    }

    private static void Rewrite(JsonNode? node, string from, string to)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (key == "$ref" && value?.GetValueKind() == System.Text.Json.JsonValueKind.String && value.GetValue<string>() == from)
                        obj[key] = to;
                    else
                        Rewrite(value, from, to);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                    Rewrite(item, from, to);
                break;
        }
    }

    private static string Pascal(string name) =>
        string.Concat(name.Split('-', '.').Where(part => part.Length > 0).Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>
    /// The token endpoint (RFC 6749 §4.4, client credentials), by hand: it answers OAuth's own JSON, not problems, and is not a
    /// described endpoint. Its refusals: 400 and 401 as RFC 6749 §5.2 says, 429 and 503 with Retry-After.
    /// </summary>
    private static JsonObject TokenOperation()
    {
        static JsonObject OAuthError(string description, string error, string detail, params (string Name, string Description)[] headers) => new()
        {
            ["description"] = description,
            ["headers"] = Headers(headers),
            ["content"] = new JsonObject
            {
                ["application/json"] = new JsonObject
                {
                    ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/OAuthError" },
                    ["example"] = new JsonObject { ["error"] = error, ["error_description"] = detail },
                },
            },
        };
        static JsonObject Headers((string Name, string Description)[] headers)
        {
            var all = new JsonObject
            {
                ["Cache-Control"] = new JsonObject { ["description"] = "no-store: a token answer is never cached.", ["schema"] = new JsonObject { ["type"] = "string" } },
            };
            foreach (var (name, description) in headers)
                all[name] = new JsonObject { ["description"] = description, ["schema"] = new JsonObject { ["type"] = name == "Retry-After" ? "integer" : "string" } };
            return all;
        }
        var retryAfter = ("Retry-After", "Seconds to wait before trying again.");
        var rateLimited = OAuthError("This client id is locked out after failed attempts, or this network has too many token requests at once (OAuth JSON); "
            + "or over the per-network rate limit of token requests (a problem).", "temporarily_unavailable", "Too many attempts for this client id; retry after 1 s.", retryAfter);
        rateLimited["content"]!["application/problem+json"] = new JsonObject
        {
            ["schema"] = new JsonObject { ["$ref"] = $"#/components/schemas/{GatewayResponses.ProblemSchema}" },
            ["example"] = GatewayResponses.Example(429, "Too many requests", "This consumer's rate limit is reached; retry after 1 s."),
        };
        return new JsonObject
        {
            ["post"] = new JsonObject
            {
                ["tags"] = new JsonArray("Tokens"),
                ["summary"] = "Get a token: OAuth 2.0 client credentials",
                ["description"] = "A registered consumer trades its client id and secret (form fields, or HTTP Basic) for a short-lived bearer token "
                    + "(RFC 6749 §4.4). Refusals answer as RFC 6749 §5.2 says; a client id that fails repeatedly is locked out for a while.",
                ["operationId"] = "lgsp.issue-token",
                ["security"] = new JsonArray(),
                ["requestBody"] = new JsonObject
                {
                    ["required"] = true,
                    ["content"] = new JsonObject
                    {
                        ["application/x-www-form-urlencoded"] = new JsonObject
                        {
                            ["schema"] = new JsonObject
                            {
                                ["type"] = "object",
                                ["required"] = new JsonArray("grant_type"),
                                ["properties"] = new JsonObject
                                {
                                    ["grant_type"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("client_credentials") },
                                    ["client_id"] = new JsonObject { ["type"] = "string", ["description"] = "The consumer's id, unless sent with HTTP Basic." },
                                    ["client_secret"] = new JsonObject { ["type"] = "string", ["description"] = "The consumer's secret, unless sent with HTTP Basic." },
                                },
                            },
                            ["example"] = new JsonObject
                            {
                                ["grant_type"] = "client_credentials", ["client_id"] = "hospital.example", ["client_secret"] = "the-consumer-s-secret",
                            },
                        },
                    },
                },
                ["responses"] = new JsonObject
                {
                    ["200"] = new JsonObject
                    {
                        ["description"] = "The token, to send as Authorization: Bearer <access_token> until it expires.",
                        ["headers"] = Headers([]),
                        ["content"] = new JsonObject
                        {
                            ["application/json"] = new JsonObject
                            {
                                ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/TokenResponse" },
                                ["example"] = new JsonObject { ["access_token"] = "eyJhbGciOi...", ["token_type"] = "Bearer", ["expires_in"] = 600 },
                            },
                        },
                    },
                    ["400"] = OAuthError("Not a client-credentials grant, or not a form.", "unsupported_grant_type", "Only grant_type=client_credentials is supported."),
                    ["401"] = OAuthError("The client credentials are not valid.", "invalid_client", "The client credentials are not valid.",
                        ("WWW-Authenticate", "Basic, when the credentials came with HTTP Basic.")),
                    ["429"] = rateLimited,
                    ["503"] = OAuthError("Too many secret checks wait already.", "temporarily_unavailable", "The token endpoint is busy; retry after 1 s.", retryAfter),
                },
            },
        };
    }

    private static JsonObject OAuthErrorSchema() => new()
    {
        ["type"] = "object",
        ["description"] = "An OAuth 2.0 error (RFC 6749 §5.2).",
        ["required"] = new JsonArray("error"),
        ["properties"] = new JsonObject
        {
            ["error"] = new JsonObject { ["type"] = "string", ["description"] = "invalid_request, invalid_client, unsupported_grant_type or temporarily_unavailable." },
            ["error_description"] = new JsonObject { ["type"] = "string" },
        },
    };

    private static JsonObject TokenResponseSchema() => new()
    {
        ["type"] = "object",
        ["description"] = "An OAuth 2.0 token answer (RFC 6749 §5.1).",
        ["required"] = new JsonArray("access_token", "token_type", "expires_in"),
        ["properties"] = new JsonObject
        {
            ["access_token"] = new JsonObject { ["type"] = "string" },
            ["token_type"] = new JsonObject { ["type"] = "string", ["description"] = "Bearer." },
            ["expires_in"] = new JsonObject { ["type"] = "integer", ["format"] = "int32", ["description"] = "Seconds the token is valid for." },
        },
    };
}
