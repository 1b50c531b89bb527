using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LgspHub.ServiceDefaults;

namespace LgspHub.Conform;

/// <summary>
/// Calls the system under test as the gateway does (its key in <c>Authorization</c>, the consumer in
/// <c>X-Lgsp-Consumer</c>), never through the gateway: what is checked is the agency's side of the contract.
/// </summary>
public sealed class SystemClient(HttpClient http, string? gatewayKey)
{
    /// <summary>The consumer id the gateway would name; the run's own.</summary>
    public const string ConsumerId = "lgsp.conform";

    public Uri BaseAddress => http.BaseAddress!;

    public async Task<Answer> SendAsync(HttpMethod method, string pathAndQuery, string? body, IEnumerable<(string Name, string Value)> headers, bool withKey = true, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery.TrimStart('/'));
        if (withKey && gatewayKey is { Length: > 0 })
            request.Headers.Authorization = AgencyCredentials.Header(AgencyCredentials.GatewayScheme, gatewayKey);
        request.Headers.TryAddWithoutValidation(HubHeaders.Consumer, ConsumerId);
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ConformException($"{http.BaseAddress} does not answer {method} {pathAndQuery}: {e.Message}", e);
        }
    }
}

public sealed record Answer(int Status, string? MediaType, string Body)
{
    public string StatusText => Status.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Each operation of the OpenAPI document, called with the requests its declarations call for: one naming what the
/// agency holds (the seed; for writes, the document's example), and when the document declares a 404 or a 400, one
/// naming nothing it holds and one it must refuse. Each answer: the status the case calls for, the status declared,
/// the media type declared for it, the body valid against its schema.
/// </summary>
public sealed class OperationChecks(OpenApiContract contract, SystemClient system, ProvinceValues province)
{
    private enum Kind { Seeded, Unknown, Malformed }

    public async Task RunAsync(ConformanceReport report, CancellationToken cancellationToken)
    {
        await AccessAsync(report, cancellationToken);
        foreach (var operation in contract.Operations)
        {
            var subject = report.Add(SubjectKinds.Operation, operation.Name);
            foreach (var kind in Enum.GetValues<Kind>())
            {
                if (Plan(operation, kind) is not { } request)
                    continue;
                var answer = await system.SendAsync(new HttpMethod(operation.Method), request.Path, request.Body, request.Headers, cancellationToken: cancellationToken);
                CheckStatus(subject, operation, kind, request.Case, answer);
                CheckDeclared(subject, operation, request.Case, answer);
            }
            if (subject.Total == 0)
                subject.Note = "no request could be made: no seeded value or example for its parameters, and no 404 or 400 declared";
        }
    }

    /// <summary>The agency answers the gateway only: without the gateway's key, a 401 (README, "Agencies answer the gateway only").</summary>
    private async Task AccessAsync(ConformanceReport report, CancellationToken cancellationToken)
    {
        var read = contract.Operations.Where(o => o.IsSafe).Select(o => (Operation: o, Request: Plan(o, Kind.Seeded))).FirstOrDefault(r => r.Request is not null);
        if (read.Request is null)
            return;
        var subject = report.Add(SubjectKinds.Access, "gateway key required");
        var answer = await system.SendAsync(HttpMethod.Get, read.Request.Path, null, read.Request.Headers, withKey: false, cancellationToken);
        var @case = $"{read.Operation.Method} {read.Request.Path} without Authorization";
        if (answer.Status == (int)HttpStatusCode.Unauthorized)
            subject.Pass(@case, "status");
        else
            subject.Fail(@case, "status", new Mismatch(answer.StatusText, null, "401 (no gateway key: the agency answers the gateway only)", answer.StatusText));
    }

    private sealed record PlannedRequest(string Case, string Path, string? Body, List<(string Name, string Value)> Headers);

    private PlannedRequest? Plan(ApiOperation operation, Kind kind)
    {
        if (kind == Kind.Unknown && !(operation.Declares(404) && operation.Parameters.Any(p => p.In == "path")))
            return null;
        if (kind == Kind.Malformed && !operation.Declares(400))
            return null;
        if (kind == Kind.Seeded && !operation.IsSafe && operation.HasBody && operation.BodyExample is null)
            return null;   // a write without an example: nothing valid to send that the contract vouches for

        var path = operation.Path;
        var query = new List<string>();
        var headers = new List<(string, string)>();
        var malformedDone = false;
        var described = new List<string>();
        // The consumer's id is the gateway's to set (SystemClient sets it), not a parameter to fill.
        foreach (var parameter in operation.Parameters.Where(p => !(p.In == "header" && p.Name.Equals(HubHeaders.Consumer, StringComparison.OrdinalIgnoreCase))))
        {
            string? value = null;
            if (parameter.In == "path" && kind == Kind.Unknown)
                value = province.Unknown(parameter.Name, parameter) ?? province.Seeded(parameter.Name) ?? Example(parameter);
            else if (parameter.In == "path" && kind == Kind.Malformed && !malformedDone && ProvinceValues.Malformed(parameter.Name) is { } bad)
            {
                value = bad;
                malformedDone = true;
                described.Add($"{parameter.Name} {bad}");
            }
            else if (parameter.In == "header" && !parameter.Required)
                continue;   // optional headers change what is asked (a test's X-Lgsp-Fault: error, a retry's key): the contract's plain call goes without
            else if (parameter.In == "header")
                value = Example(parameter) ?? (IsUuid(parameter) || parameter.Name.Contains("Idempotency", StringComparison.OrdinalIgnoreCase) ? Guid.NewGuid().ToString() : "conform");
            else
                value = province.Seeded(parameter.Name) ?? Example(parameter);

            if (value is null)
            {
                if (parameter.Required || parameter.In == "path")
                    return null;
                continue;
            }
            switch (parameter.In)
            {
                case "path": path = path.Replace($"{{{parameter.Name}}}", Uri.EscapeDataString(value), StringComparison.Ordinal); break;
                case "query" when parameter.Required: query.Add($"{Uri.EscapeDataString(parameter.Name)}={Uri.EscapeDataString(value)}"); break;
                case "header": headers.Add((parameter.Name, value)); break;
            }
        }
        string? body = null;
        if (operation.HasBody)
        {
            if (kind == Kind.Malformed && !malformedDone)
            {
                body = "{}";
                malformedDone = true;
                described.Add("an empty object as body");
            }
            else
                body = operation.BodyExample?.ToJsonString() ?? "{}";
        }
        if (kind == Kind.Malformed && !malformedDone)
            return null;
        if (query.Count > 0)
            path += "?" + string.Join('&', query);
        var @case = kind switch
        {
            Kind.Seeded => operation.IsSafe ? "seeded values" : "the document's example",
            Kind.Unknown => "values naming nothing held",
            _ => "malformed: " + string.Join(", ", described),
        };
        return new PlannedRequest(@case, path, body, headers);
    }

    private static bool IsUuid(ApiParameter parameter) => parameter.Schema?["format"]?.GetValue<string>() == "uuid";

    private static string? Example(ApiParameter parameter) => parameter.Example switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        var other => other.ToJsonString(),
    };

    private static void CheckStatus(Subject subject, ApiOperation operation, Kind kind, string @case, Answer answer)
    {
        var (ok, expected) = kind switch
        {
            Kind.Seeded when operation.IsSafe => (answer.Status is >= 200 and < 300, "a 2xx: the values name what the agency holds"),
            Kind.Seeded => (operation.Responses.Count == 0 || operation.Declared(answer.Status) is not null,
                "a status the document declares (" + string.Join(", ", operation.Responses.Keys) + ")"),
            Kind.Unknown => (answer.Status == 404, "404, as declared"),
            _ => (answer.Status == 400, "400, as declared"),
        };
        if (ok)
            subject.Pass(@case, "status");
        else
            subject.Fail(@case, "status", new Mismatch(answer.StatusText, null, expected, $"{answer.StatusText} {Schemas.Truncate(answer.Body)}".TrimEnd()));
    }

    /// <summary>The answer as the document declares it for its status: declared, its media type, its schema.</summary>
    private void CheckDeclared(Subject subject, ApiOperation operation, string @case, Answer answer)
    {
        if (operation.Declared(answer.Status) is not { } declared)
        {
            subject.Fail(@case, "answer declared", new Mismatch(answer.StatusText, null,
                "a status the document declares (" + string.Join(", ", operation.Responses.Keys) + ")", answer.StatusText));
            return;
        }
        if (declared.Content.Count == 0)
        {
            subject.Add(@case, "answer declared", answer.Body.Length == 0 ? [] : [new Mismatch(answer.StatusText, "$", "no body (none declared)", Schemas.Truncate(answer.Body))]);
            return;
        }
        var media = answer.MediaType ?? "(none)";
        if (!declared.Content.TryGetValue(media, out var schema))
        {
            subject.Fail(@case, "answer declared", new Mismatch(answer.StatusText, null, "Content-Type " + string.Join(" or ", declared.Content.Keys), media));
            return;
        }
        if (schema is null)
        {
            subject.Pass(@case, "answer declared");
            return;
        }
        JsonDocument body;
        try
        {
            body = JsonDocument.Parse(answer.Body);
        }
        catch (JsonException e)
        {
            subject.Fail(@case, "answer declared", new Mismatch(answer.StatusText, "$", "JSON", $"not JSON ({e.Message}): {Schemas.Truncate(answer.Body)}"));
            return;
        }
        using (body)
            subject.Add(@case, "answer declared", contract.Schemas.Check(schema, body.RootElement, answer.StatusText));
    }
}
