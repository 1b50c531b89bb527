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

    /// <summary>Bodies larger than this are not searched for the subject (the agencies' requests are small).</summary>
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

        var subject = await SubjectAsync(context, operation.SubjectFrom);
        var hasher = context.RequestServices.GetRequiredService<SubjectHasher>();
        context.Features.Set(new AuditDraft(officer.ToString(), purpose.ToString(), subject is null ? null : hasher.Hash(subject)));
        await next();
    }

    /// <summary>The personal ID the request is about: "route:personalId" or "body:from.personalId".</summary>
    private static async Task<string?> SubjectAsync(HttpContext context, string? from)
    {
        if (from is null)
            return null;
        if (from.StartsWith("route:", StringComparison.Ordinal))
            return context.GetRouteValue(from[6..])?.ToString();
        if (!from.StartsWith("body:", StringComparison.Ordinal) || context.Request.ContentLength is > MaxBodyToRead)
            return null;

        context.Request.EnableBuffering(MaxBodyToRead);
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var element = body.RootElement;
            foreach (var name in from[5..].Split('.'))
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
                    return null;
            }
            return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        }
        catch (JsonException)
        {
            return null; // The agency answers malformed JSON with its own 400.
        }
        finally
        {
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
