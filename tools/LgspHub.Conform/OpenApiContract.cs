using System.Text.Json.Nodes;

namespace LgspHub.Conform;

public sealed record ApiParameter(string Name, string In, bool Required, JsonNode? Schema, JsonNode? Example);

/// <param name="Content">Media type → schema (null when the document gives none).</param>
public sealed record ApiResponse(string Status, IReadOnlyDictionary<string, JsonNode?> Content);

public sealed record ApiOperation(
    string Method, string Path, string? OperationId, IReadOnlyList<ApiParameter> Parameters,
    bool HasBody, JsonNode? BodyExample, IReadOnlyDictionary<string, ApiResponse> Responses)
{
    public string Name => OperationId is { Length: > 0 } id ? $"{id} ({Method} {Path})" : $"{Method} {Path}";

    public bool IsSafe => Method is "GET" or "HEAD";

    /// <summary>The response the document declares for a status: the status itself, its class (<c>4XX</c>), or <c>default</c>.</summary>
    public ApiResponse? Declared(int status) =>
        Responses.GetValueOrDefault(status.ToString(System.Globalization.CultureInfo.InvariantCulture))
        ?? Responses.GetValueOrDefault($"{status / 100}XX")
        ?? Responses.GetValueOrDefault("default");

    public bool Declares(int status) => Responses.ContainsKey(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>The operations of an agency's OpenAPI 3.1 document, as the conformance run needs them.</summary>
public sealed class OpenApiContract
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head"];

    private OpenApiContract(IReadOnlyList<ApiOperation> operations, Schemas schemas)
    {
        Operations = operations;
        Schemas = schemas;
    }

    public IReadOnlyList<ApiOperation> Operations { get; }

    public Schemas Schemas { get; }

    public static OpenApiContract Parse(string json)
    {
        var document = JsonNode.Parse(json)?.AsObject() ?? throw new ConformException("the OpenAPI document is empty");
        if (document["openapi"]?.GetValue<string>() is not { } version || !version.StartsWith('3'))
            throw new ConformException("the contract is not an OpenAPI 3 document");
        var operations = new List<ApiOperation>();
        foreach (var (path, item) in document["paths"]?.AsObject() ?? [])
        {
            if (item is not JsonObject pathItem)
                continue;
            var shared = pathItem["parameters"]?.AsArray() ?? [];
            foreach (var method in Methods)
            {
                if (pathItem[method] is not JsonObject operation)
                    continue;
                var parameters = shared.Concat(operation["parameters"]?.AsArray() ?? [])
                    .OfType<JsonObject>()
                    .Select(p => Resolve(document, p))
                    .Select(p => new ApiParameter(
                        p["name"]!.GetValue<string>(), p["in"]!.GetValue<string>(), p["required"]?.GetValue<bool>() ?? false,
                        p["schema"], p["example"] ?? FirstExample(p["examples"]) ?? p["schema"]?["example"]))
                    .ToList();
                var body = operation["requestBody"] is JsonObject requestBody ? Resolve(document, requestBody) : null;
                var jsonBody = body?["content"]?["application/json"];
                var responses = new Dictionary<string, ApiResponse>(StringComparer.OrdinalIgnoreCase);
                foreach (var (status, response) in operation["responses"]?.AsObject() ?? [])
                {
                    if (response is not JsonObject responseObject)
                        continue;
                    var resolved = Resolve(document, responseObject);
                    var content = (resolved["content"]?.AsObject() ?? []).ToDictionary(c => c.Key, c => c.Value?["schema"], StringComparer.OrdinalIgnoreCase);
                    responses[status] = new ApiResponse(status, content);
                }
                operations.Add(new ApiOperation(method.ToUpperInvariant(), path, operation["operationId"]?.GetValue<string>(), parameters,
                    body is not null, jsonBody?["example"] ?? FirstExample(jsonBody?["examples"]) ?? jsonBody?["schema"]?["example"], responses));
            }
        }
        return new OpenApiContract(operations, new Schemas(document["components"]?["schemas"]?.AsObject()));
    }

    private static JsonNode? FirstExample(JsonNode? examples) =>
        examples switch
        {
            JsonObject named => named.Select(e => e.Value?["value"]).FirstOrDefault(v => v is not null),
            JsonArray list => list.FirstOrDefault(),
            _ => null,
        };

    /// <summary>A <c>$ref</c> to the document's components (parameters, request bodies, responses), followed.</summary>
    private static JsonObject Resolve(JsonObject document, JsonObject node)
    {
        for (var depth = 0; depth < 8 && node["$ref"]?.GetValue<string>() is { } reference && reference.StartsWith("#/", StringComparison.Ordinal); depth++)
        {
            JsonNode? target = document;
            foreach (var segment in reference[2..].Split('/'))
                target = target?[segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
            node = target as JsonObject ?? throw new ConformException($"the OpenAPI document's reference {reference} leads nowhere");
        }
        return node;
    }
}

/// <summary>The run could not be made as asked (no contract, a system or broker that does not answer): not a score.</summary>
public sealed class ConformException(string message, Exception? inner = null) : Exception(message, inner);
