using LgspHub.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;

namespace LgspHub.ServiceDefaults;

/// <summary>The RFC 9457 problems agencies answer with, worded once.</summary>
public static class ApiProblems
{
    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    public static ValidationProblem InvalidPersonalId(string field = "personalId") =>
        Invalid(field, $"A personal ID has exactly {PersonalId.Length} digits.");

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: Title(StatusCodes.Status404NotFound));

    /// <summary>The title of a problem with this status, as the agencies write it.</summary>
    public static string Title(int status) => status switch
    {
        StatusCodes.Status404NotFound => "Not found",
        _ => ReasonPhrases.GetReasonPhrase(status),
    };
}
