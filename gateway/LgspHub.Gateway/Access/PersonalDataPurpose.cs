using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LgspHub.Gateway.Transactions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LgspHub.Gateway.Access;

/// <summary>
/// Personal-data operations need a declared purpose (the public-service code) and the officer
/// acting, as real LGSP population calls carry them; the personal-data law asks that every
/// processing has a purpose and is logged. The subject is noted for the audit as a keyed hash.
/// </summary>
public static class PersonalDataPurpose
{
    public const string PurposeHeader = "X-Lgsp-Purpose";
    public const string OfficerHeader = "X-Lgsp-Officer";

    /// <summary>The largest body of a personal-data operation: its subject must be read for the audit (the agencies' requests are small).</summary>
    private const int MaxBodyToRead = 64 * 1024;

    public static async Task RequireAsync(HttpContext context, Func<Task> next)
    {
        if (Operation.Of(context) is not { PersonalData: true } operation)
        {
            await next();
            return;
        }

        var purpose = context.Request.Headers[PurposeHeader];
        var officer = context.Request.Headers[OfficerHeader];
        var errors = new Dictionary<string, string[]>();
        if (!IsCode(purpose))
            errors[PurposeHeader] = ["Personal-data operations need the purpose: a public-service code (letters, digits, '.', '-', '_'; at most 64)."];
        if (!IsCode(officer))
            errors[OfficerHeader] = ["Personal-data operations need the code of the officer acting (letters, digits, '.', '-', '_'; at most 64)."];
        if (errors.Count > 0)
        {
            await TypedResults.ValidationProblem(errors).ExecuteAsync(context);
            return;
        }

        var (subject, problem) = await SubjectAsync(context, operation.SubjectFrom);
        if (problem is not null)
        {
            // No audit without its subject: a body the gateway cannot read for it is refused, not forwarded.
            await TypedResults.Problem(problem, statusCode: StatusCodes.Status400BadRequest, title: "Unreadable personal-data request").ExecuteAsync(context);
            return;
        }
        var hasher = context.RequestServices.GetRequiredService<SubjectHasher>();
        context.Features.Set(new AuditDraft(officer.ToString(), purpose.ToString(), subject is null ? null : hasher.Hash(subject)));
        await next();
    }

    /// <summary>The personal ID the request is about: "route:personalId" or "body:from.personalId" (names matched as the agencies match them, ignoring case).</summary>
    private static async Task<(string? Subject, string? Problem)> SubjectAsync(HttpContext context, string? from)
    {
        if (from is null)
            return (null, null);
        if (from.StartsWith("route:", StringComparison.Ordinal))
            return (context.GetRouteValue(from[6..])?.ToString(), null);
        if (context.Request.ContentLength is > MaxBodyToRead)
            return (null, $"A personal-data request body has at most {MaxBodyToRead / 1024} KB.");

        context.Request.EnableBuffering(MaxBodyToRead, MaxBodyToRead);
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var element = body.RootElement;
            foreach (var name in from[5..].Split('.'))
            {
                if (element.ValueKind != JsonValueKind.Object)
                    return (null, null); // The agency answers a body of the wrong shape with its own 400.
                var matches = element.EnumerateObject().Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
                if (matches.Count > 1)
                    return (null, $"The body names \"{name}\" more than once.");
                if (matches.Count == 0)
                    return (null, null);
                element = matches[0].Value;
            }
            return (element.ValueKind == JsonValueKind.String ? element.GetString() : null, null);
        }
        catch (JsonException)
        {
            return (null, null); // Malformed JSON: the agency answers it with its own 400.
        }
        catch (IOException)
        {
            return (null, $"A personal-data request body has at most {MaxBodyToRead / 1024} KB.");
        }
        finally
        {
            if (context.Request.Body.CanSeek)
                context.Request.Body.Position = 0;
        }
    }

    private static bool IsCode(Microsoft.Extensions.Primitives.StringValues values) =>
        values is [{ Length: > 0 and <= 64 } value] && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
}

/// <summary>HMAC-SHA256 of a personal ID under the hub's subject key: stable, so one person's accesses can be found, and not reversible without the key.</summary>
public sealed class SubjectHasher
{
    private readonly byte[] _key;

    public SubjectHasher(IOptions<RecordOptions> options, ILogger<SubjectHasher> logger)
    {
        if (string.IsNullOrWhiteSpace(options.Value.SubjectKey))
            logger.LogWarning("Lgsp:Records:SubjectKey is not set: audit subjects are hashed with a random key and cannot be searched after a restart");
        _key = string.IsNullOrWhiteSpace(options.Value.SubjectKey) ? RandomNumberGenerator.GetBytes(32) : Convert.FromBase64String(options.Value.SubjectKey);
    }

    public string Hash(string personalId) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(personalId.Trim())));
}
