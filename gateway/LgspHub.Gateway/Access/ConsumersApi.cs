using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using LgspHub.Contracts;
using LgspHub.Data;
using LgspHub.Gateway.Requests;
using LgspHub.Gateway.Transactions;
using LgspHub.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace LgspHub.Gateway.Access;

/// <summary>What an operator sends to register a consumer system; the hub makes its secret.</summary>
public sealed record ConsumerRegistration(string? Id, string? DisplayName, string[]? Rights, int? RequestsPerSecond, int? Burst);

/// <summary>A consumer just registered, with its secret: the only time the secret is ever shown.</summary>
public sealed record IssuedConsumer(string Id, string DisplayName, string[] Rights, int RequestsPerSecond, int Burst, string ClientSecret, string TokenUrl);

/// <summary>A consumer as the operators' list shows it: never its secret or hash.</summary>
/// <param name="Source"><c>configuration</c> (Lgsp:Consumers) or <c>api</c> (registered through this API).</param>
/// <param name="ActiveFrom">A registered one's: when its registration was audited; null while it was not (it gets no token).</param>
public sealed record ConsumerListing(
    string Id, string DisplayName, string[] Rights, int RequestsPerSecond, int Burst, string Source,
    DateTimeOffset? RegisteredAt, string? RegisteredBy, DateTimeOffset? ActiveFrom, DateTimeOffset? RevokedAt, string? RevokedBy);

/// <summary>
/// The operators' API for consumer systems: register one (the hub makes a strong secret, keeps only its PBKDF2 hash
/// and shows the secret once), list them, revoke one. Hub operations like the records: a caller needs the right
/// (<see cref="RegisterOperation"/>, <see cref="ReadOperation"/>, <see cref="RevokeOperation"/>), which <c>*</c> never
/// covers. Each registration and revocation is an audit entry naming the operator and the consumer, before it is
/// answered; one the audit cannot take is not made. Changes count at once on this instance (<see cref="ConsumerRegistry"/>).
/// </summary>
public static class ConsumersApi
{
    public const string Path = "/lgsp/consumers";

    public static readonly Operation RegisterOperation = Operation.Hub("register-consumer");
    public static readonly Operation ReadOperation = Operation.Hub("read-consumers");
    public static readonly Operation RevokeOperation = Operation.Hub("revoke-consumer");

    public const string ConfiguredSource = "configuration";
    public const string RegisteredSource = "api";

    /// <summary>Registrations are small: a larger body is refused before it is read (413).</summary>
    public const int MaxBody = 16 * 1024;

    private const int MaxRights = 64;
    private const int MaxDisplayName = 200;
    private const int MaxRequestsPerSecond = 1_000_000;

    /// <summary>Lower-case letters, digits, '.', '-' and '_', starting and ending with a letter or digit, at most 64: safe in URLs, logs and headers.</summary>
    private static readonly Regex IdShape = new("^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));

    /// <summary>The hub's own consumers (lgsp.operator, lgsp.load…) are the configuration's: the API gives no id under this prefix.</summary>
    private const string ReservedPrefix = Operation.HubService + ".";

    public static IEndpointRouteBuilder MapConsumersApi(this IEndpointRouteBuilder app)
    {
        var consumers = app.MapGroup(Path).RequireAuthorization(Operation.RightsPolicy).WithTags("Consumers");
        consumers.MapPost("", RegisterAsync)
            .WithMetadata(RegisterOperation)
            .WithSummary("Register a consumer system; its client secret is in the answer, and only there");
        consumers.MapGet("", List)
            .WithMetadata(ReadOperation)
            .WithSummary("Every consumer system, configured or registered, revoked ones included; never a secret");
        consumers.MapGet("/{id}", Get)
            .WithMetadata(ReadOperation)
            .WithSummary("One consumer system");
        consumers.MapDelete("/{id}", RevokeAsync)
            .WithMetadata(RevokeOperation)
            .WithSummary("Revoke a registered consumer: no new token, and its tokens refused from its next request");
        return app;
    }

    private static async Task<Results<Created<IssuedConsumer>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        HttpContext context, GatewayDb db, ConsumerRegistry registry, TransactionLog log, EndpointDataSource endpoints, IEnumerable<IProxyConfigProvider> proxy,
        TimeProvider clock, ILoggerFactory loggers)
    {
        var cancellationToken = context.RequestAborted;
        var (registration, unreadable) = await ReadAsync(context.Request, cancellationToken);
        if (unreadable is not null)
            return unreadable;
        var errors = Validate(registration!, KnownOperations(endpoints, proxy));
        if (OfficerProblem(context) is { } officerError)
            errors[PersonalDataPurpose.OfficerHeader] = [officerError];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        var id = registration!.Id!;
        var rights = registration.Rights!.Distinct(StringComparer.Ordinal).ToArray();
        var operatorId = context.User.ConsumerId()!;
        // Operators admit systems to the agencies' operations; the hub's own (audit, records, registering) only as far
        // as they hold them, so no one grants more power over the hub than they have.
        var caller = registry.Find(operatorId);
        if (rights.FirstOrDefault(right => IsHubRight(right) && caller?.Allows(right) != true) is { } beyond)
            return TypedResults.Problem($"A consumer may grant the hub's own rights it holds only; this one does not hold {beyond}.",
                statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
        if (Taken(registry, id) is { } taken)
            return Conflict(taken);
        if (!log.AcceptsAudit)
            return AuditUnavailable(context, "The audit cannot record a registration now, so none is made.");

        var secret = "lgsp_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var requestsPerSecond = registration.RequestsPerSecond ?? new ConsumerSystem().RequestsPerSecond;
        var row = new RegisteredConsumer
        {
            Id = id,
            DisplayName = registration.DisplayName!.Trim(),
            SecretHash = ConsumerSystem.HashSecret(secret),
            Rights = [.. rights],
            RequestsPerSecond = requestsPerSecond,
            Burst = registration.Burst ?? requestsPerSecond * 2,
            RegisteredAt = Milliseconds(clock.GetUtcNow()),
            RegisteredBy = operatorId,
        };
        db.Set<RegisteredConsumer>().Add(row);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DatabaseStore.BrokeUniqueKey(e))
        {
            // Another request (or instance) registered the same id first.
            return Conflict($"The consumer {id} is already registered.");
        }

        try
        {
            // Not given up when the caller goes: an entry committed after an undo would record what was not made.
            await log.AppendAsync([Entry(context, operatorId, RegisterOperation, id, row.RegisteredAt)]);
        }
        catch (AuditUnavailableException)
        {
            // Not audited, so not made: the registration (inactive until now) goes, and its secret was never shown.
            await db.Set<RegisteredConsumer>().Where(c => c.Id == id).ExecuteDeleteAsync(CancellationToken.None);
            return AuditUnavailable(context, "The audit could not record the registration, so it was undone.");
        }
        // Audited: from now on it gets tokens.
        await db.Set<RegisteredConsumer>().Where(c => c.Id == id)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.ActiveFrom, Milliseconds(clock.GetUtcNow())), CancellationToken.None);
        await RefreshAsync(registry, loggers);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created($"{Path}/{id}",
            new IssuedConsumer(id, row.DisplayName, rights, row.RequestsPerSecond, row.Burst, secret, TokenEndpoint.Path));
    }

    private static Ok<ConsumerListing[]> List(ConsumerRegistry registry) =>
        TypedResults.Ok(Listings(registry).OrderBy(c => c.Id, StringComparer.Ordinal).ToArray());

    private static Results<Ok<ConsumerListing>, ProblemHttpResult> Get(string id, ConsumerRegistry registry) =>
        Listings(registry).FirstOrDefault(c => c.Id == id) is { } found ? TypedResults.Ok(found) : ApiProblems.NotFound($"No consumer {id}.");

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string id, HttpContext context, GatewayDb db, ConsumerRegistry registry, TransactionLog log, IOptionsMonitor<LgspOptions> options,
        TimeProvider clock, ILoggerFactory loggers)
    {
        var cancellationToken = context.RequestAborted;
        if (OfficerProblem(context) is { } officerError)
            return TypedResults.Problem(officerError, statusCode: StatusCodes.Status400BadRequest, title: "Bad officer");
        if (options.CurrentValue.Consumers.ContainsKey(id))
            return Conflict($"The consumer {id} is in the gateway's configuration (Lgsp:Consumers): remove it there; the API revokes the consumers it registered.");
        var row = await db.Set<RegisteredConsumer>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (row is null)
            return ApiProblems.NotFound($"No consumer {id} was registered through the API.");
        if (row.RevokedAt is { } revokedAt)
            return Conflict($"The consumer {id} was revoked at {revokedAt:O} by {row.RevokedBy}.");
        if (!log.AcceptsAudit)
            return AuditUnavailable(context, "The audit cannot record a revocation now, so none is made.");

        var operatorId = context.User.ConsumerId()!;
        var at = Milliseconds(clock.GetUtcNow());
        var revoked = await db.Set<RegisteredConsumer>().Where(c => c.Id == id && c.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.RevokedAt, at).SetProperty(c => c.RevokedBy, operatorId), cancellationToken);
        if (revoked == 0)
            return Conflict($"The consumer {id} was revoked meanwhile.");
        await RefreshAsync(registry, loggers);
        try
        {
            await log.AppendAsync([Entry(context, operatorId, RevokeOperation, id, at)]);
        }
        catch (AuditUnavailableException e)
        {
            // A leaked secret must not come back because the audit is down: the revocation stands, and is logged.
            loggers.CreateLogger(typeof(ConsumersApi)).LogError(e, "Consumer {Consumer} was revoked by {Operator} at {At}, but the audit could not record it", id, operatorId, at);
            return AuditUnavailable(context, $"The consumer {id} is revoked, but the audit could not record it (the gateway's log does).");
        }
        return TypedResults.NoContent();
    }

    private static IEnumerable<ConsumerListing> Listings(ConsumerRegistry registry)
    {
        var configured = registry.Configured;
        foreach (var (id, consumer) in configured)
            yield return new(id, consumer.DisplayName, [.. consumer.Rights], consumer.RequestsPerSecond, consumer.Burst, ConfiguredSource, null, null, null, null, null);
        foreach (var row in registry.Registered.Values.Where(r => !configured.ContainsKey(r.Id)))
            yield return new(row.Id, row.DisplayName, [.. row.Rights], row.RequestsPerSecond, row.Burst, RegisteredSource,
                row.RegisteredAt, row.RegisteredBy, row.ActiveFrom, row.RevokedAt, row.RevokedBy);
    }

    /// <summary>The body as JSON, at most <see cref="MaxBody"/> bytes, or the problem it is.</summary>
    private static async Task<(ConsumerRegistration? Registration, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
            return (null, TypedResults.Problem("Send the registration as application/json.", statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type"));
        if (request.ContentLength > MaxBody)
            return (null, TooLarge());
        var buffer = new byte[MaxBody + 1];
        var read = 0;
        while (read < buffer.Length && await request.Body.ReadAsync(buffer.AsMemory(read), cancellationToken) is > 0 and var count)
            read += count;
        if (read > MaxBody)
            return (null, TooLarge());
        try
        {
            var registration = JsonSerializer.Deserialize<ConsumerRegistration>(buffer.AsSpan(0, read), JsonSerializerOptions.Web);
            return registration is null ? (null, NotJson("The body is JSON null, not a registration.")) : (registration, null);
        }
        catch (JsonException e)
        {
            return (null, NotJson($"The body is not a registration: {e.Message}"));
        }
    }

    private static Dictionary<string, string[]> Validate(ConsumerRegistration registration, IReadOnlySet<string> operations)
    {
        var errors = new Dictionary<string, string[]>();
        if (registration.Id is not { } id || !IdShape.IsMatch(id))
            errors["id"] = ["An id is 1 to 64 lower-case letters, digits, '.', '-' or '_', starting and ending with a letter or digit."];
        else if (id.StartsWith(ReservedPrefix, StringComparison.Ordinal))
            errors["id"] = [$"Ids starting with \"{ReservedPrefix}\" are the hub's own, configured in Lgsp:Consumers."];
        if (string.IsNullOrWhiteSpace(registration.DisplayName) || registration.DisplayName.Length > MaxDisplayName || registration.DisplayName.Any(IsHidden))
            errors["displayName"] = [$"A display name is 1 to {MaxDisplayName} characters, without control or formatting characters."];
        if (registration.Rights is not { Length: > 0 and <= MaxRights } rights)
            errors["rights"] = [$"Name 1 to {MaxRights} rights: operations (population.verify-identity), an agency's \"land.*\", \"*\" (every agency operation), or the hub's lgsp.* operations."];
        else if (rights.Where(right => !IsKnownRight(right, operations)).ToArray() is { Length: > 0 } unknown)
            errors["rights"] = [$"Unknown rights: {string.Join(", ", unknown.Select(r => r is null ? "null" : $"\"{r}\""))}. A right names an operation the hub routes or serves, an agency's \"<agency>.*\", or \"*\"."];
        if (registration.RequestsPerSecond is < 1 or > MaxRequestsPerSecond)
            errors["requestsPerSecond"] = [$"Requests per second are 1 to {MaxRequestsPerSecond}."];
        if (registration.Burst is < 1 or > MaxRequestsPerSecond * 2)
            errors["burst"] = [$"A burst is 1 to {MaxRequestsPerSecond * 2} requests."];
        return errors;
    }

    /// <summary>Control and formatting characters (a right-to-left override among them) would make a name read as another on the operators' pages and logs.</summary>
    private static bool IsHidden(char c) => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format;

    private static bool IsKnownRight(string? right, IReadOnlySet<string> operations) =>
        right is not null
        && (right == "*"
            || operations.Contains(right)
            || (right.EndsWith(".*", StringComparison.Ordinal) && operations.Any(o => o.StartsWith(right[..^1], StringComparison.Ordinal))));

    private static bool IsHubRight(string right) => Operation.IsHub(right);

    /// <summary>Every operation the gateway routes (its configuration's routes) or serves itself (its endpoints' metadata), as the rights check names them.</summary>
    private static HashSet<string> KnownOperations(EndpointDataSource endpoints, IEnumerable<IProxyConfigProvider> proxy) =>
        proxy.Routes().Select(route => route.Metadata is null ? null : Operation.From(route.Metadata)?.Name)
            .Concat(endpoints.Endpoints.Select(endpoint => endpoint.Metadata.GetMetadata<Operation>()?.Name))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Why the id cannot be given: configured, registered, or registered once and revoked (ids are never given twice).</summary>
    private static string? Taken(ConsumerRegistry registry, string id) =>
        registry.Configured.ContainsKey(id) ? $"The consumer {id} is in the gateway's configuration."
        : registry.Registered.TryGetValue(id, out var row)
            ? row.RevokedAt is null
                ? $"The consumer {id} is already registered."
                : $"The consumer {id} was revoked; an id is never given again, so a token of the old registration can never pass for the new one."
            : null;

    /// <summary>The acting officer, optional here; when sent, a code as personal-data calls carry it.</summary>
    private static string? OfficerProblem(HttpContext context) =>
        context.Request.Headers.TryGetValue(PersonalDataPurpose.OfficerHeader, out var officer) && !PersonalDataPurpose.IsCode(officer)
            ? "The officer is a code: letters, digits, '.', '-', '_'; at most 64."
            : null;

    private static AuditEntry Entry(HttpContext context, string operatorId, Operation operation, string target, DateTimeOffset at) => new()
    {
        TransactionId = context.Features.Get<TransactionIdentity>()?.Id ?? Guid.CreateVersion7(at),
        At = at,
        Consumer = operatorId,
        Officer = context.Request.Headers[PersonalDataPurpose.OfficerHeader] is [{ } officer] ? officer : null,
        Operation = operation.Name,
        Target = target,
        Outcome = Outcome.Succeeded,
    };

    /// <summary>Made visible to this instance at once; should the read fail, the next periodic one brings it.</summary>
    private static async Task RefreshAsync(ConsumerRegistry registry, ILoggerFactory loggers)
    {
        try
        {
            await registry.RefreshAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
        {
            loggers.CreateLogger(typeof(ConsumersApi)).LogWarning(e, "Could not read the registered consumers again after a change; the next periodic read will");
        }
    }

    /// <summary>The audit stores times to the millisecond; the registration the same, so both say the same instant.</summary>
    private static DateTimeOffset Milliseconds(DateTimeOffset at) => DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());

    private static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    private static ProblemHttpResult TooLarge() =>
        TypedResults.Problem($"A registration is at most {MaxBody} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large");

    private static ProblemHttpResult NotJson(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad registration");

    private static ProblemHttpResult AuditUnavailable(HttpContext context, string detail)
    {
        context.Features.Set(new HubFailure("audit_unavailable"));
        context.Response.Headers.RetryAfter = "5";
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Audit unavailable");
    }
}
