using LgspHub.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LgspHub.ServiceDefaults;

/// <summary>The RFC 9457 problems agencies answer with, worded once.</summary>
public static class ApiProblems
{
    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    public static ValidationProblem InvalidPersonalId(string field = "personalId") =>
        Invalid(field, $"A personal ID has exactly {PersonalId.Length} digits.");

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");
}
