using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;

namespace LgspHub.ServiceDefaults.OpenApi;

/// <summary>
/// What the gateway answers before or instead of the service behind it, written once for every operation of every
/// document: no token (401), no right (403), over the consumer's rate limit (429), for personal data no purpose or
/// officer (400) and no audit (503), and for proxied operations an agency it cannot reach (502), none available or
/// overloaded (503) or one that does not answer in time (504). Gateway/Access and Gateway/Proxy give these answers.
/// </summary>
public static class GatewayResponses
{
    public const string ProblemJson = "application/problem+json";
    public const string ProblemSchema = "ProblemDetails";
    public const string ValidationProblemSchema = "HttpValidationProblemDetails";

    /// <summary>The largest body the gateway reads whole for the people a personal-data request names (Access/PersonalDataPurpose).</summary>
    public const int PersonalDataBodyKilobytes = 64;

    /// <param name="proxied">Forwarded to an agency, so its failures (502, 503, 504) are the gateway's to answer.</param>
    /// <param name="bearer">Called with a consumer's token, so 401 and the consumer's rate limit apply.</param>
    /// <param name="rights">Only for consumers whose rights name the operation (403 otherwise).</param>
    public static void AddTo(OpenApiOperation operation, OpenApiDocument document, bool personalData, bool proxied, bool bearer = true, bool rights = true)
    {
        operation.Responses ??= [];
        if (personalData)
        {
            Add(operation, document, StatusCodes.Status400BadRequest,
                $"The gateway's check: {HubHeaders.Purpose} or {HubHeaders.Officer} is missing or is not a code ({HubHeaders.CodePattern}).",
                ValidationProblemSchema, new JsonObject
                {
                    ["title"] = "One or more validation errors occurred.",
                    ["status"] = 400,
                    ["errors"] = new JsonObject { [HubHeaders.Purpose] = new JsonArray("Personal-data operations need the purpose: a public-service code (letters, digits, '.', '-', '_'; at most 64).") },
                });
        }
        if (bearer)
        {
            Add(operation, document, StatusCodes.Status401Unauthorized,
                "No valid bearer token: request one at the token endpoint with the consumer's client credentials.",
                ProblemSchema, Example(401, "Unauthorized", $"A valid bearer token is required: request one at {GatewayClients.TokenPath} with the consumer's client credentials."),
                ("WWW-Authenticate", "The bearer challenge (RFC 6750), with the reason when a token was sent.", JsonSchemaType.String, true));
            if (rights)
                Add(operation, document, StatusCodes.Status403Forbidden,
                    "The consumer's rights do not include this operation.",
                    ProblemSchema, Example(403, "Forbidden", "This consumer has no right to call this operation."));
            Add(operation, document, StatusCodes.Status429TooManyRequests,
                "Over the consumer's rate limit (a token bucket per consumer; callers without a valid token share one per network).",
                ProblemSchema, Example(429, "Too many requests", "This consumer's rate limit is reached; retry after 1 s."),
                RetryAfter(required: true));
        }
        if (operation.RequestBody is not null)
        {
            Add(operation, document, StatusCodes.Status413PayloadTooLarge,
                personalData
                    ? $"The body is larger than the gateway reads: {PersonalDataBodyKilobytes} KB for a personal-data request, whose body is read for the people it names."
                    : "The body is larger than the gateway reads (1 MB).",
                ProblemSchema, Example(413, "Unreadable personal-data request", $"A personal-data request body has at most {PersonalDataBodyKilobytes} KB."));
            Add(operation, document, StatusCodes.Status415UnsupportedMediaType,
                "The body is not JSON: send Content-Type application/json, in UTF-8.",
                ProblemSchema, Example(415, "Unsupported Media Type", null));
            if (personalData)
                Add(operation, document, StatusCodes.Status400BadRequest, "The body is not well-formed JSON in UTF-8.", ValidationProblemSchema,
                    Example(400, "Unreadable personal-data request", "The request body is not well-formed JSON."));
        }
        if (proxied)
        {
            Add(operation, document, StatusCodes.Status502BadGateway,
                "The agency could not be reached, or (personal data) its answer was too large to audit and was not sent.",
                ProblemSchema, Example(502, "Bad Gateway", null));
            Add(operation, document, StatusCodes.Status503ServiceUnavailable,
                "No instance of the agency is available, too many requests wait for it, or (personal data) the hub cannot store the audit now; Retry-After says when to try again where the gateway knows.",
                ProblemSchema, Example(503, "The agency is overloaded", "Too many requests wait for the agency; retry shortly."),
                RetryAfter(required: false));
            Add(operation, document, StatusCodes.Status504GatewayTimeout,
                "The agency did not answer within the gateway's timeout.",
                ProblemSchema, Example(504, "Gateway Timeout", null));
        }
        foreach (var response in operation.Responses.Values.OfType<OpenApiResponse>())
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers.TryAdd(HubHeaders.TransactionId, Header("The gateway's id of this transaction: give it when asking about a call.", JsonSchemaType.String, required: false));
            if (proxied)
                response.Headers.TryAdd(HubHeaders.AgencyStatus, Header("The agency's own status, when the agency answered; absent when the gateway answered alone.", JsonSchemaType.Integer, required: false));
        }
    }

    /// <summary>ProblemDetails and HttpValidationProblemDetails as the generator writes them, for the answers above to refer to.</summary>
    public static async Task AddSchemasAsync(OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document!;
        foreach (var (name, type) in new[] { (ProblemSchema, typeof(ProblemDetails)), (ValidationProblemSchema, typeof(HttpValidationProblemDetails)) })
        {
            if (document.Components?.Schemas?.ContainsKey(name) == true)
                continue;
            document.AddComponent(name, await context.GetOrCreateSchemaAsync(type, null, cancellationToken));
        }
    }

    /// <summary>A problem example as the hub writes it.</summary>
    public static JsonObject Example(int status, string title, string? detail)
    {
        var example = new JsonObject { ["title"] = title, ["status"] = status };
        if (detail is not null)
            example["detail"] = detail;
        return example;
    }

    public static (string Name, string Description, JsonSchemaType Type, bool Required) RetryAfter(bool required) =>
        ("Retry-After", "Seconds to wait before trying again.", JsonSchemaType.Integer, required);

    private static void Add(OpenApiOperation operation, OpenApiDocument document, int status, string description, string schema, JsonObject example,
        (string Name, string Description, JsonSchemaType Type, bool Required)? header = null)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.TryGetValue(key, out var existing) && existing is OpenApiResponse response)
        {
            // The agency gives this status too: one response, both reasons.
            response.Description = string.IsNullOrWhiteSpace(response.Description) || IsDefault(response.Description, status)
                ? description
                : $"{response.Description.TrimEnd('.')}; or {char.ToLowerInvariant(description[0])}{description[1..]}";
        }
        else
        {
            response = new OpenApiResponse { Description = description };
            operation.Responses[key] = response;
        }
        response.Content ??= new Dictionary<string, OpenApiMediaType>();
        if (!response.Content.ContainsKey(ProblemJson))
            response.Content[ProblemJson] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(schema, document) };
        response.Content[ProblemJson].Example ??= example;
        if (header is { } h)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers[h.Name] = Header(h.Description, h.Type, h.Required);
        }
    }

    /// <summary>The generator's description of a status ("Not Found"), which says nothing a reader needs.</summary>
    public static bool IsDefault(string description, int status) =>
        string.Equals(description, ReasonPhrases.GetReasonPhrase(status), StringComparison.OrdinalIgnoreCase);

    public static OpenApiHeader Header(string description, JsonSchemaType type, bool required) =>
        new() { Description = description, Required = required, Schema = new OpenApiSchema { Type = type } };
}
