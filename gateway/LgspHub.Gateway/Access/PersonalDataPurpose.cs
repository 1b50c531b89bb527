using System.Text.RegularExpressions;
using LgspHub.Gateway.Requests;
using LgspHub.ServiceDefaults;
using LgspHub.Gateway.Transactions;
using Microsoft.AspNetCore.Http.Features;

namespace LgspHub.Gateway.Access;

/// <summary>
/// Personal-data operations need a declared purpose (the public-service code) and the officer acting, as real
/// LGSP population calls carry them; the personal-data law asks that every processing has a purpose and is
/// logged. Every person the access touches (named in the request or shown in the answer) gets an audit entry,
/// stored before the answer leaves: no evidence, no personal data.
/// </summary>
public static partial class PersonalDataPurpose
{
    public const string PurposeHeader = HubHeaders.Purpose;
    public const string OfficerHeader = HubHeaders.Officer;

    /// <summary>The largest body of a personal-data request: it is read whole for the people it names (the agencies' requests are small).</summary>
    private const int MaxBodyToRead = 64 * 1024;

    /// <summary>The largest answer kept for the audit: a page of 500 dossiers is about 1 MB.</summary>
    private const int MaxAnswerToRead = 4 * 1024 * 1024;

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

        var log = context.RequestServices.GetRequiredService<TransactionLog>();
        if (!log.AcceptsAudit)
        {
            await AuditUnavailableAsync(context);
            return;
        }
        var (subjects, problem) = await RequestSubjectsAsync(context);
        if (problem is not null)
        {
            // No audit without its subjects: a request the gateway cannot read for them is refused, not forwarded.
            await TypedResults.Problem(problem.Detail, statusCode: problem.Status, title: "Unreadable personal-data request").ExecuteAsync(context);
            return;
        }

        var answer = new AnswerBufferStream(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>(), MaxAnswerToRead);
        context.Features.Set<IHttpResponseBodyFeature>(answer);
        try
        {
            await next();
        }
        catch
        {
            answer.Discard(context);
            throw;
        }

        // An answer too large to read for its people is not sent: the access is still audited, as failed.
        if (answer.Overflowed)
            context.Features.Set(new HubFailure("agency_answer_too_large"));
        else
            subjects.AddRange(PersonalDataSubjects.FromAnswer(answer.Bytes, context.Response.ContentType));

        var hasher = context.RequestServices.GetRequiredService<SubjectHasher>();
        var transaction = context.Features.GetRequiredFeature<TransactionIdentity>();
        var (outcome, _) = TransactionRecorder.Classify(context);
        var hashes = subjects.Select(hasher.Hash).Distinct().Order(StringComparer.Ordinal).ToList();
        var entries = (hashes.Count == 0 ? [null] : hashes.Cast<string?>()).Select(hash => new AuditEntry
        {
            TransactionId = transaction.Id,
            At = DateTimeOffset.FromUnixTimeMilliseconds(transaction.RequestInAt.ToUnixTimeMilliseconds()),
            Consumer = context.User.ConsumerId() ?? "",
            Officer = officer.ToString(),
            Purpose = purpose.ToString(),
            Operation = operation.Name,
            SubjectHash = hash,
            Outcome = outcome,
        }).ToList();
        try
        {
            await log.AppendAsync(entries).WaitAsync(context.RequestAborted);
        }
        catch (AuditUnavailableException)
        {
            answer.Discard(context);
            context.Response.Clear();
            await AuditUnavailableAsync(context);
            return;
        }

        if (!answer.Overflowed)
        {
            await answer.ReleaseAsync(context);
            return;
        }
        answer.Discard(context);
        context.Response.Clear();
        await TypedResults.Problem($"The agency's answer is larger than the {MaxAnswerToRead / 1024 / 1024} MB the gateway reads for the audit; it was not sent.",
            statusCode: StatusCodes.Status502BadGateway, title: "Answer too large to audit").ExecuteAsync(context);
    }

    /// <summary>X-Road's rule: a hub that cannot keep evidence refuses the traffic that needs it.</summary>
    private static async Task AuditUnavailableAsync(HttpContext context)
    {
        context.Features.Set(new HubFailure("audit_unavailable"));
        context.Response.Headers.RetryAfter = "5";
        await TypedResults.Problem("The hub cannot store the audit of this access now, so it does not serve personal data. Try again shortly.",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "Audit unavailable").ExecuteAsync(context);
    }

    /// <summary>The people the request names: personal IDs in its route values and its body, which is read whole and put back for the agency.</summary>
    private static async Task<(List<string> Subjects, UnreadableRequest? Problem)> RequestSubjectsAsync(HttpContext context)
    {
        var subjects = PersonalDataSubjects.FromRoute(context.Request.RouteValues).ToList();
        var request = context.Request;
        if (request.ContentLength is 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
            return (subjects, null);
        if (request.ContentLength is > MaxBodyToRead)
            return (subjects, TooLarge);

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > MaxBodyToRead)
                    return (subjects, TooLarge);
                buffer.Write(chunk, 0, read);
            }
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e)
        {
            return (subjects, new(e.StatusCode, "The request body could not be read: " + e.Message));
        }
        request.Body = new MemoryStream(body, writable: false);

        var (found, problem) = PersonalDataSubjects.FromRequestBody(body, request.ContentType);
        subjects.AddRange(found);
        return (subjects, problem);
    }

    private static readonly UnreadableRequest TooLarge = new(StatusCodes.Status413PayloadTooLarge, $"A personal-data request body has at most {MaxBodyToRead / 1024} KB.");

    // The pattern the OpenAPI documents give for both headers; in .NET its $ also matches before a final newline.
    internal static bool IsCode(Microsoft.Extensions.Primitives.StringValues values) =>
        values is [{ } value] && Code().IsMatch(value) && !value.EndsWith('\n');

    [GeneratedRegex(HubHeaders.CodePattern, RegexOptions.CultureInvariant)]
    private static partial Regex Code();
}
